package dev.gpt2.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A byte-level BPE vocabulary in the form the encoder uses: the bytes of every token in one flat array, the id of each
 * single byte, the rank of each merge pair and the id it makes, and a lookup from bytes to id for the tokens that BPE
 * turns into themselves (so that a piece that is one token, most words, costs one hash probe). Special tokens are the
 * ids that are neither a single byte nor made by a merge ({@code <|endoftext|>} in GPT-2). Immutable and thread-safe.
 *
 * <p>It has a compact binary form, which the build makes from {@code encoder.json} and {@code vocab.bpe}
 * ({@link VocabularyCompiler}): the arrays as they are in memory and what took work to find (which tokens BPE turns
 * into themselves, the special tokens), so that loading is bulk array copies and the two hash tables, with no
 * parsing, no validation and no trial merges.
 */
final class Vocabulary {
    private static final int MAGIC = 0x47504232;  // "2BPG" read little-endian
    private static final int VERSION = 2;

    /** Token {@code id}'s bytes are {@code bytes[offsets[id], offsets[id + 1])}. */
    final byte[] bytes;
    final int[] offsets;
    /** The id made by the merge of each rank. */
    final int[] mergedIds;
    /** The id of the single-byte token of each byte. */
    final int[] byteIds;
    final PairRanks ranks;
    final BytePairMerger merger;
    /** Bytes to id for every token that BPE turns into itself. */
    final TokenLookup wholeTokens;
    /** Special tokens: their text to their id, in id order. */
    final Map<String, Integer> specials;
    private final int[] specialIds;
    private final BitSet selfEncoding;

    private Vocabulary(byte[] bytes, int[] offsets, int[] mergedIds, int[] byteIds, int[] specialIds, PairRanks ranks,
                       BitSet selfEncoding) {
        this.bytes = bytes;
        this.offsets = offsets;
        this.mergedIds = mergedIds;
        this.byteIds = byteIds;
        this.specialIds = specialIds;
        this.ranks = ranks;
        this.merger = new BytePairMerger(byteIds, ranks, mergedIds, offsets);
        this.selfEncoding = selfEncoding;
        this.wholeTokens = new TokenLookup(bytes, offsets, selfEncoding);
        Map<String, Integer> special = new LinkedHashMap<>();
        for (int id : specialIds) {
            special.put(new String(bytes, offsets[id], length(id), StandardCharsets.UTF_8), id);
        }
        this.specials = Collections.unmodifiableMap(special);
    }

    /**
     * Makes the vocabulary of tokens and ranked merges: merge {@code r} turns the pair {@code (left[r], right[r])}
     * into {@code merged[r]}.
     *
     * @throws IllegalArgumentException a single byte has no token, a merge names an id out of range, or the
     *                                  vocabulary is larger than supported
     */
    static Vocabulary build(byte[] bytes, int[] offsets, int[] left, int[] right, int[] merged) {
        int n = offsets.length - 1;
        if (n > PairRanks.MAX_IDS) {
            throw new IllegalArgumentException(n + " tokens: at most " + PairRanks.MAX_IDS + " are supported");
        }
        int[] byteIds = new int[256];
        Arrays.fill(byteIds, -1);
        for (int id = 0; id < n; id++) {
            if (offsets[id + 1] - offsets[id] == 1 && byteIds[bytes[offsets[id]] & 0xFF] < 0) {
                byteIds[bytes[offsets[id]] & 0xFF] = id;
            }
        }
        BitSet plain = new BitSet(n);
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) {
                throw new IllegalArgumentException(String.format(
                        "no token for the byte 0x%02X (written '%c'): a byte-level BPE vocabulary has all 256 bytes",
                        b, ByteLevel.charOf(b)));
            }
            plain.set(byteIds[b]);
        }
        for (int r = 0; r < merged.length; r++) {
            if (Math.min(left[r], Math.min(right[r], merged[r])) < 0
                    || Math.max(left[r], Math.max(right[r], merged[r])) >= n) {
                throw new IllegalArgumentException("merge " + r + " (" + left[r] + ", " + right[r] + ") -> "
                        + merged[r] + " names an id out of the vocabulary's range 0.." + (n - 1));
            }
            plain.set(merged[r]);
        }
        PairRanks ranks = new PairRanks(left, right);
        BitSet self = selfEncoding(plain, new BytePairMerger(byteIds, ranks, merged, offsets), bytes, offsets);
        IntList specialIds = new IntList(4);
        for (int id = plain.nextClearBit(0); id < n; id = plain.nextClearBit(id + 1)) {
            if (offsets[id + 1] > offsets[id]) {  // an empty token is never found in text
                specialIds.add(id);
            }
        }
        return new Vocabulary(bytes, offsets, merged, byteIds, specialIds.toArray(), ranks, self);
    }

    /** The tokens among {@code candidates} that BPE, run on their bytes, turns into themselves. */
    private static BitSet selfEncoding(BitSet candidates, BytePairMerger merger, byte[] bytes, int[] offsets) {
        BitSet self = new BitSet(offsets.length - 1);
        Scratch scratch = new Scratch();
        IntList out = new IntList(16);
        for (int id = candidates.nextSetBit(0); id >= 0; id = candidates.nextSetBit(id + 1)) {
            int len = offsets[id + 1] - offsets[id];
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

    int size() {
        return offsets.length - 1;
    }

    int length(int id) {
        return offsets[id + 1] - offsets[id];
    }

    /** The pair of each merge, {@code [left ids, right ids]} by rank. */
    int[][] mergePairs() {
        return ranks.pairs(mergedIds.length);
    }

    /** The compact form: see {@link #readCompact}. */
    byte[] toCompact() {
        int[][] pairs = mergePairs();
        long[] self = selfEncoding.toLongArray();
        int size = 4 * (8 + offsets.length + 3 * mergedIds.length + byteIds.length + specialIds.length)
                + 8 * self.length + bytes.length;
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(VERSION).putInt(size()).putInt(bytes.length).putInt(mergedIds.length)
                .putInt(specialIds.length).putInt(self.length).putInt(0);
        for (int[] ints : new int[][] {offsets, pairs[0], pairs[1], mergedIds, byteIds, specialIds}) {
            out.asIntBuffer().put(ints);
            out.position(out.position() + 4 * ints.length);
        }
        out.asLongBuffer().put(self);
        out.position(out.position() + 8 * self.length);
        out.put(bytes);
        return out.array();
    }

    /**
     * Reads the compact form (little-endian): a header of 8 ints (magic, version, the token count n, the byte count,
     * the merge count m, the special-token count s, the length w of the self-encoding bit set in longs, 0), then n + 1
     * token offsets, m left ids, m right ids, m merged ids, 256 byte ids, s special ids, w longs of the bit set, and
     * the token bytes. It is trusted (the build made it with {@link #build}, which validates). The header gives the
     * size of the rest, which is read in one go.
     *
     * @throws IllegalArgumentException the data is not a compact vocabulary of this version
     * @throws IOException              the stream cannot be read
     */
    static Vocabulary readCompact(InputStream stream) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(stream.readNBytes(32)).order(ByteOrder.LITTLE_ENDIAN);
        if (header.limit() < 32 || header.getInt() != MAGIC || header.getInt() != VERSION) {
            throw new IllegalArgumentException("not a compact vocabulary of version " + VERSION);
        }
        int n = header.getInt();
        byte[] bytes = new byte[header.getInt()];
        int m = header.getInt();
        int s = header.getInt();
        long[] self = new long[header.getInt()];
        int rest = 4 * (n + 1 + 3 * m + 256 + s) + 8 * self.length + bytes.length;
        byte[] data = stream.readNBytes(rest);
        if (data.length < rest) {
            throw new IllegalArgumentException("a compact vocabulary cut short: " + data.length + " of " + rest
                    + " bytes after the header");
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int[] offsets = ints(in, n + 1);
        int[] left = ints(in, m);
        int[] right = ints(in, m);
        int[] mergedIds = ints(in, m);
        int[] byteIds = ints(in, 256);
        int[] specialIds = ints(in, s);
        in.asLongBuffer().get(self);
        in.position(in.position() + 8 * self.length);
        in.get(bytes);
        return new Vocabulary(bytes, offsets, mergedIds, byteIds, specialIds, new PairRanks(left, right),
                BitSet.valueOf(self));
    }

    private static int[] ints(ByteBuffer in, int n) {
        int[] ints = new int[n];
        in.asIntBuffer().get(ints);
        in.position(in.position() + 4 * n);
        return ints;
    }
}
