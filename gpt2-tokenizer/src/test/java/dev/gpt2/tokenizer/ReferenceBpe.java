package dev.gpt2.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's {@code encoder.py} {@code bpe()} loop transcribed naively (merge every occurrence of the lowest-ranked
 * pair, left to right, then look again), on token byte strings with no shortcut: the oracle for the fast merges.
 */
final class ReferenceBpe {
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Map<String, Integer> ids = new HashMap<>();

    ReferenceBpe(Vocabulary vocab) {
        for (int id = 0; id < vocab.size(); id++) {
            ids.put(key(vocab, id), id);
        }
        int[][] pairs = vocab.mergePairs();
        for (int r = 0; r < vocab.mergedIds.length; r++) {
            ranks.put(key(vocab, pairs[0][r]) + " " + key(vocab, pairs[1][r]), r);
        }
    }

    private static String key(Vocabulary vocab, int id) {
        return ByteLevel.textOf(Arrays.copyOfRange(vocab.bytes, vocab.offsets[id], vocab.offsets[id + 1]));
    }

    int[] encode(byte[] piece) {
        List<String> word = new ArrayList<>();
        for (byte b : piece) {
            word.add(String.valueOf(ByteLevel.charOf(b & 0xFF)));
        }
        while (word.size() > 1) {
            String best = null;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = word.get(i) + " " + word.get(i + 1);
                }
            }
            if (best == null) {
                break;
            }
            String first = best.substring(0, best.indexOf(' '));
            String second = best.substring(best.indexOf(' ') + 1);
            List<String> merged = new ArrayList<>();
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i++));
                }
            }
            word = merged;
        }
        return word.stream().mapToInt(ids::get).toArray();
    }
}
