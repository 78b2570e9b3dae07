package dev.gpt2.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A byte-level BPE vocabulary in the form the encoder uses: the bytes of every token in one flat array, the merges in
 * rank order as id triples, the rank of each pair, and a lookup from bytes to id for the tokens that BPE turns into
 * themselves (so that a piece that is one token, most words, costs one hash probe). Special tokens are the ids that
 * are neither a single byte nor made by a merge ({@code <|endoftext|>} in GPT-2). Immutable and thread-safe.
 *
 * <p>It also has a compact binary form, which the build makes from {@code encoder.json} and {@code vocab.bpe}
 * ({@link VocabularyCompiler}) so that {@link Gpt2Tokenizer#gpt2()} loads in a few milliseconds.
 */
final class Vocabulary {
    private static final int MAGIC = 0x47504232;  // "GPB2"
    private static final int VERSION = 1;

    /** Token {@code id}'s bytes are {@code bytes[offsets[id], offsets[id + 1])}. */
    final byte[] bytes;
    final int[] offsets;
    /** Merge {@code r} (its rank) turns the pair {@code (mergeLeft[r], mergeRight[r])} into {@code mergedIds[r]}. */
    final int[] mergeLeft;
    final int[] mergeRight;
    final int[] mergedIds;
    final BytePairMerger merger;
    /** Bytes to id for every token that BPE turns into itself. */
    final TokenLookup wholeTokens;
    /** Special tokens: their text to their id, in id order. */
    final Map<String, Integer> specials;
    private final BitSet selfEncoding;

    /**
     * @param selfEncoding the tokens that BPE turns into themselves, or null to work them out (50k small merges)
     * @throws IllegalArgumentException when a single byte has no token or a merge names an id out of range
     */
    Vocabulary(byte[] bytes, int[] offsets, int[] mergeLeft, int[] mergeRight, int[] mergedIds, BitSet selfEncoding) {
        this.bytes = bytes;
        this.offsets = offsets;
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.mergedIds = mergedIds;
        int n = offsets.length - 1;
        if (n > PairRanks.MAX_IDS) {
            throw new IllegalArgumentException(n + " tokens: at most " + PairRanks.MAX_IDS + " are supported");
        }
        int[] lengths = new int[n];
        int[] byteIds = new int[256];
        java.util.Arrays.fill(byteIds, -1);
        for (int id = 0; id < n; id++) {
            lengths[id] = offsets[id + 1] - offsets[id];
            if (lengths[id] == 1 && byteIds[bytes[offsets[id]] & 0xFF] < 0) {
                byteIds[bytes[offsets[id]] & 0xFF] = id;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) {
                throw new IllegalArgumentException(String.format(
                        "no token for the byte 0x%02X (written '%c'): a byte-level BPE vocabulary has all 256 bytes",
                        b, ByteLevel.charOf(b)));
            }
        }
        BitSet plain = new BitSet(n);
        for (int id : byteIds) {
            plain.set(id);
        }
        for (int r = 0; r < mergedIds.length; r++) {
            if (Math.min(mergeLeft[r], Math.min(mergeRight[r], mergedIds[r])) < 0
                    || Math.max(mergeLeft[r], Math.max(mergeRight[r], mergedIds[r])) >= n) {
                throw new IllegalArgumentException("merge " + r + " (" + mergeLeft[r] + ", " + mergeRight[r] + ") -> "
                        + mergedIds[r] + " names an id out of the vocabulary's range 0.." + (n - 1));
            }
            plain.set(mergedIds[r]);
        }
        this.merger = new BytePairMerger(byteIds, new PairRanks(mergeLeft, mergeRight), mergedIds, lengths);
        this.selfEncoding = selfEncoding != null ? selfEncoding : selfEncoding(plain);
        this.wholeTokens = new TokenLookup(bytes, offsets, this.selfEncoding);
        Map<String, Integer> special = new LinkedHashMap<>();
        for (int id = plain.nextClearBit(0); id < n; id = plain.nextClearBit(id + 1)) {
            special.put(new String(bytes, offsets[id], lengths[id], StandardCharsets.UTF_8), id);
        }
        this.specials = Collections.unmodifiableMap(special);
    }

    int size() {
        return offsets.length - 1;
    }

    int length(int id) {
        return offsets[id + 1] - offsets[id];
    }

    /** The tokens among {@code candidates} that BPE, run on their bytes, turns into themselves. */
    private BitSet selfEncoding(BitSet candidates) {
        BitSet self = new BitSet(size());
        Scratch scratch = new Scratch();
        IntList out = new IntList(16);
        for (int id = candidates.nextSetBit(0); id >= 0; id = candidates.nextSetBit(id + 1)) {
            int len = length(id);
            byte[] piece = scratch.bytes(len);
            System.arraycopy(bytes, offsets[id], piece, 0, len);
            out.truncate(0);
            merger.merge(piece, len, out, scratch);
            if (out.size() == 1 && out.get(0) == id) {
                self.set(id);
            }
        }
        return self;
    }

    /** The compact binary form (big-endian): see {@link #fromCompact}. */
    byte[] toCompact() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(size());
            out.writeInt(bytes.length);
            for (int id = 0; id < size(); id++) {
                if (length(id) > 0xFFFF) {
                    throw new IllegalArgumentException("token " + id + " is " + length(id) + " bytes long, over 65535");
                }
                out.writeShort(length(id));
            }
            out.write(bytes);
            out.writeInt(mergedIds.length);
            for (int[] column : new int[][] {mergeLeft, mergeRight, mergedIds}) {
                for (int v : column) {
                    out.writeInt(v);
                }
            }
            long[] words = selfEncoding.toLongArray();
            out.writeInt(words.length);
            for (long w : words) {
                out.writeLong(w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * Reads the compact form: magic, version, token count n, byte count, n unsigned 16-bit token lengths, the token
     * bytes, merge count m, m left ids, m right ids, m merged ids, then the self-encoding bit set as longs.
     *
     * @throws IllegalArgumentException when {@code data} is not a compact vocabulary of this version
     */
    static Vocabulary fromCompact(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        if (data.length < 16 || in.getInt() != MAGIC || in.getInt() != VERSION) {
            throw new IllegalArgumentException("not a compact vocabulary of version " + VERSION);
        }
        int n = in.getInt();
        byte[] bytes = new byte[in.getInt()];
        short[] lengths = new short[n];
        in.asShortBuffer().get(lengths);
        in.position(in.position() + 2 * n);
        in.get(bytes);
        int[] offsets = new int[n + 1];
        for (int id = 0; id < n; id++) {
            offsets[id + 1] = offsets[id] + (lengths[id] & 0xFFFF);
        }
        int m = in.getInt();
        int[][] merges = new int[3][m];
        for (int[] column : merges) {
            in.asIntBuffer().get(column);
            in.position(in.position() + 4 * m);
        }
        long[] words = new long[in.getInt()];
        in.asLongBuffer().get(words);
        return new Vocabulary(bytes, offsets, merges[0], merges[1], merges[2], BitSet.valueOf(words));
    }
}
