package dev.gpt2.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hugging Face folders (vocab.json + merges.txt), the text-file reader and the compact form built from it. */
class FromFolderTest {
    @TempDir
    Path dir;

    @Test
    void aFolderMadeFromTheBundledFilesGivesIdenticalIds() throws IOException {
        writeFolder(dir);
        Gpt2Tokenizer folder = Gpt2Tokenizer.fromFolder(dir);
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();
        assertEquals(gpt2.vocabSize(), folder.vocabSize());
        assertEquals(gpt2.specialTokens(), folder.specialTokens());
        for (Fixtures.Case c : Fixtures.devCases()) {
            assertArrayEquals(c.ids(), folder.encodeOrdinary(c.text()), () -> "line " + c.line());
        }
        assertArrayEquals(new int[] {64, 50256}, folder.encodeAllowingSpecial("a<|endoftext|>"));
    }

    @Test
    void theBundledCompactFormEqualsReadingTheTextFiles() throws IOException {
        Vocabulary fromText = VocabularyFiles.read(Fixtures.bundledFile("encoder.json"),
                Fixtures.bundledFile("vocab.bpe"));
        byte[] bundled;
        try (InputStream in = Gpt2Tokenizer.class.getResourceAsStream(Gpt2Tokenizer.BUNDLED_RESOURCE)) {
            bundled = in.readAllBytes();
        }
        assertArrayEquals(bundled, fromText.toCompact());
        assertArrayEquals(bundled, Vocabulary.readCompact(new ByteArrayInputStream(bundled)).toCompact());
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        UncheckedIOException noFolder = assertThrows(UncheckedIOException.class,
                () -> Gpt2Tokenizer.fromFolder(dir.resolve("nope")));
        assertTrue(noFolder.getMessage().contains("nope") && noFolder.getMessage().contains("vocab.json"));
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
        UncheckedIOException noMerges = assertThrows(UncheckedIOException.class, () -> Gpt2Tokenizer.fromFolder(dir));
        assertTrue(noMerges.getMessage().contains("merges.txt"), noMerges.getMessage());
    }

    @Test
    void malformedJsonNamesTheFileAndLine() throws IOException {
        assertError("{\n  \"a\": 0,\n  \"b\" 1\n}", "#version: 0.2\n", "vocab.json line 3, column 7: expected ':'");
        assertError("{\"a\": 0, \"a\": 1}", "", "vocab.json line 1, column 10: the token \"a\" appears twice");
        assertError("{\"a\": 0, \"b\": 0}", "", "the id 0 is given to both \"a\" and \"b\"");
        assertError("{\"a\": 0, \"b\": 5}", "", "the ids must be 0..1");
        assertError("{\"a\": -1}", "", "vocab.json line 1, column 7: expected the id of \"a\"");
        assertError("{\"a\\q\": 0}", "", "unknown escape '\\q'");
        assertError("[\"a\"]", "", "expected '{'");
        assertError("{\"a\": 0", "", "expected ',' or '}'");
    }

    @Test
    void malformedMergesNameTheFileAndLine() throws IOException {
        String vocab = Files.readString(Fixtures.bundledFile("encoder.json"));
        assertError(vocab, "#version: 0.2\nĠ t\nĠt\n",
                "merges.txt line 3: expected two tokens separated by one space, found \"Ġt\"");
        assertError(vocab, "Ġ t\nĠ  t\n", "merges.txt line 2: expected two tokens");
        assertError(vocab, "#version: 0.2\nĠ t\nzzzzzzzzzz q\n",
                "merges.txt line 3: the token \"zzzzzzzzzz\" is not in vocab.json");
        assertError(vocab, "Ġ t\nĠt zzzzzzzzzz\n",
                "merges.txt line 2: the token \"zzzzzzzzzz\" is not in vocab.json");
        assertError(vocab, "Ġthe re\nĠthere fore\nĠtherefore Ġthe\n",
                "merges.txt line 3: the merged token \"ĠthereforeĠthe\" is not in vocab.json");
    }

    @Test
    void aVocabularyWithoutEveryByteIsRejected() throws IOException {
        assertError("{\"a\": 0, \"b\": 1}", "#version: 0.2\n", "vocab.json: no token for the byte 0x00");
    }

    @Test
    void aMergesFileWithWindowsLineEndsAndNoHeaderReadsTheSame() throws IOException {
        writeFolder(dir);
        List<String> lines = Files.readAllLines(Fixtures.bundledFile("vocab.bpe"));
        Files.writeString(dir.resolve("merges.txt"), String.join("\r\n", lines.subList(1, lines.size())) + "\r\n");
        Gpt2Tokenizer folder = Gpt2Tokenizer.fromFolder(dir);
        String text = Fixtures.devCases().get(500).text();
        assertArrayEquals(Gpt2Tokenizer.gpt2().encodeOrdinary(text), folder.encodeOrdinary(text));
    }

    private void assertError(String vocabJson, String merges, String expected) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), vocabJson);
        Files.writeString(dir.resolve("merges.txt"), merges);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFolder(dir));
        assertTrue(e.getMessage().contains(expected), () -> "message: " + e.getMessage() + "\nexpected: " + expected);
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }

    /** A Hugging Face-style folder: vocab.json (one line, \\u escapes as HF writes them) and merges.txt. */
    static void writeFolder(Path dir) throws IOException {
        Files.copy(Fixtures.bundledFile("encoder.json"), dir.resolve("vocab.json"));
        Files.write(dir.resolve("merges.txt"), Files.readAllBytes(Fixtures.bundledFile("vocab.bpe")));
        assertTrue(Files.readString(dir.resolve("vocab.json"), StandardCharsets.UTF_8).startsWith("{"));
    }
}
