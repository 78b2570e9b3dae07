package dev.gpt2.cli;

import java.io.IOException;
import java.io.OutputStream;

/** Writes ids as ASCII decimal numbers through its own buffer (millions of ids, no per-number objects). */
final class IdWriter {
    private final OutputStream out;
    private final byte[] buffer = new byte[1 << 16];
    private int size;

    IdWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes {@code ids[from, to)} separated by single spaces. */
    void write(int[] ids, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            if (i > from) {
                put((byte) ' ');
            }
            write(ids[i]);
        }
    }

    /** Writes one non-negative number. */
    void write(int value) throws IOException {
        if (size + 11 > buffer.length) {
            drain();
        }
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
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
