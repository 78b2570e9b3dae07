package dev.gpt2.tokenizer;

import java.util.Arrays;

/** {@link StreamingDecoder} over a pending byte buffer that holds back only an unfinished UTF-8 sequence. */
final class Utf8StreamingDecoder implements StreamingDecoder {
    private final Gpt2Tokenizer tokenizer;
    private byte[] pending = new byte[64];
    private int size;
    /** Ids pushed since the stream started. */
    private long pushed;

    Utf8StreamingDecoder(Gpt2Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public String push(int id) {
        makeRoom(tokenizer.tokenLength(id));
        size = tokenizer.copyTokenBytes(id, pending, size);
        pushed++;
        return complete();
    }

    @Override
    public String push(int[] ids) {
        byte[] bytes = tokenizer.decodeBytes(ids, pushed);
        makeRoom(bytes.length);
        System.arraycopy(bytes, 0, pending, size, bytes.length);
        size += bytes.length;
        pushed += ids.length;
        return complete();
    }

    /** Grows {@link #pending} to hold {@code bytes} more. */
    private void makeRoom(int bytes) {
        if (size + bytes > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(size + bytes, 2 * pending.length));
        }
    }

    /** The text of the pending bytes but an unfinished sequence at their end, which stays pending. */
    private String complete() {
        int held = Utf8.incompleteTail(pending, size);
        if (held == size) {
            return "";
        }
        String text = Utf8.decode(pending, 0, size - held);
        System.arraycopy(pending, size - held, pending, 0, held);
        size = held;
        return text;
    }

    @Override
    public String finish() {
        String text = Utf8.decode(pending, 0, size);
        size = 0;
        pushed = 0;
        return text;
    }
}
