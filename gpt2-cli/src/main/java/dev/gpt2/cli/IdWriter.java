package dev.gpt2.cli;

import java.io.IOException;
import java.io.OutputStream;

/** Writes ids as ASCII decimal numbers through its own buffer (millions of ids, no per-number objects). */
final class IdWriter {
    private final OutputStream out;
    private final byte[] buffer = new byte[1 << 16];
    private int size;
    /** Whether the current line has an id already (the next one needs a space before it). */
    private boolean lineStarted;

    IdWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes ids on the current line, each after a single space but the line's first. */
    void write(int[] ids) throws IOException {
        for (int id : ids) {
            if (lineStarted) {
                put((byte) ' ');
            }
            write(id);
            lineStarted = true;
        }
    }

    /** Writes one non-negative number. */
    void write(long value) throws IOException {
        if (size + 20 > buffer.length) {
            drain();
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = size + digits - 1; i >= size; i--) {
            buffer[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += digits;
    }

    void newLine() throws IOException {
        put((byte) '\n');
        lineStarted = false;
    }

    /** Writes out what is buffered and flushes the stream (which stays open). */
    void flush() throws IOException {
        drain();
        out.flush();
    }

    private void put(byte b) throws IOException {
        if (size == buffer.length) {
            drain();
        }
        buffer[size++] = b;
    }

    private void drain() throws IOException {
        out.write(buffer, 0, size);
        size = 0;
    }
}
