package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bit-exactness against OpenAI's own encoder.py (the fixtures of testdata/tokenizer, see its README). */
class GoldenTest {
    private final Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();

    @Test
    void everyDevLineEncodesToOpenAisIdsAndDecodesBack() {
        List<Fixtures.Case> cases = Fixtures.devCases();
        assertEquals(606, cases.size());
        for (Fixtures.Case c : cases) {
            assertArrayEquals(c.ids(), gpt2.encodeOrdinary(c.text()), () -> "line " + c.line() + ": " + c.text());
            assertEquals(c.text(), gpt2.decode(c.ids()), () -> "line " + c.line());
            assertEquals(c.ids().length, gpt2.countTokensOrdinary(c.text()), () -> "line " + c.line());
        }
    }

    @Test
    void devLinesWithoutSpecialTokensEncodeTheSameUnderEveryPolicy() {
        for (Fixtures.Case c : Fixtures.devCases()) {
            if (!c.text().contains("<|endoftext|>")) {
                assertArrayEquals(c.ids(), gpt2.encode(c.text()), () -> "line " + c.line());
                assertArrayEquals(c.ids(), gpt2.encodeAllowingSpecial(c.text()), () -> "line " + c.line());
            }
        }
    }

    @Test
    void threadsSharingOneTokenizerGetTheReferenceIds() throws Exception {
        List<Fixtures.Case> cases = Fixtures.devCases();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t * 151;
            Thread thread = new Thread(() -> {
                try {
                    for (int k = 0; k < cases.size(); k++) {
                        Fixtures.Case c = cases.get((k + offset) % cases.size());
                        assertArrayEquals(c.ids(), gpt2.encodeOrdinary(c.text()), "line " + c.line());
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void corpusGivesTheReferenceCountAndIdsHash() throws Exception {
        String corpus = Fixtures.read(Fixtures.tokenizerData().resolve("corpus-5mb.txt"));
        Path data = Fixtures.tokenizerData();
        int expectedCount = Integer.parseInt(Fixtures.read(data.resolve("corpus-5mb.count")).strip());
        String expectedSha = Fixtures.read(data.resolve("corpus-5mb.ids.sha256")).strip().split("\\s+")[0];

        int[] ids = gpt2.encodeOrdinary(corpus);
        assertEquals(expectedCount, ids.length);
        assertEquals(expectedSha, sha256(ids));
        assertEquals(expectedCount, gpt2.countTokensOrdinary(corpus));
        assertArrayEquals(ids, gpt2.encodeParallel(corpus, SpecialTokenPolicy.ordinary()));
        assertEquals(corpus, gpt2.decode(ids));
    }

    @Test
    void theTwoMergeAlgorithmsAndEncoderPyAgreeOnEveryDevPiece() {
        Vocabulary vocab = gpt2.vocabulary();
        ReferenceBpe reference = new ReferenceBpe(vocab);
        Scratch scratch = new Scratch();
        int longPieces = 0;
        for (Fixtures.Case c : Fixtures.devCases()) {
            String text = c.text();
            for (int i = 0; i < text.length(); ) {
                int end = PreTokenizer.pieceEnd(text, i, text.length());
                byte[] piece = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
                int[] expected = reference.encode(piece);
                IntList fast = new IntList(8);
                IntList heap = new IntList(8);
                if (piece.length <= 400) {
                    vocab.merger.mergeShort(piece, piece.length, fast, scratch);
                    assertArrayEquals(expected, fast.toArray(), () -> "short merge of " + Arrays.toString(piece));
                } else {
                    longPieces++;
                }
                vocab.merger.mergeLong(piece, piece.length, heap);
                assertArrayEquals(expected, heap.toArray(), () -> "heap merge of " + Arrays.toString(piece));
                i = end;
            }
        }
        assertTrue(longPieces > 0, "the fixtures have long words");
    }

    @Test
    void everyMergeIsMadeOfTokensOfEarlierMergesSoOneAtATimeEqualsEncoderPy() {
        Vocabulary vocab = gpt2.vocabulary();
        int[][] pairs = vocab.mergePairs();
        int[] madeAt = new int[vocab.size()];
        Arrays.fill(madeAt, -1);
        for (int r = 0; r < vocab.mergedIds.length; r++) {
            assertTrue(pairs[0][r] >= 0 && madeAt[pairs[0][r]] < r && madeAt[pairs[1][r]] < r, "merge " + r);
            assertEquals(-1, madeAt[vocab.mergedIds[r]], "each token is made by one merge");
            madeAt[vocab.mergedIds[r]] = r;
        }
    }

    static String sha256(int[] ids) throws Exception {
        StringBuilder sb = new StringBuilder(ids.length * 6);
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(ids[i]);
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }
}
