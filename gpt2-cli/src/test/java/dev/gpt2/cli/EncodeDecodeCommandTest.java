package dev.gpt2.cli;

import dev.gpt2.tokenizer.Gpt2Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncodeDecodeCommandTest {
    private static final Path TOKENIZER_DATA = Path.of(System.getProperty("gpt2.testdata"), "tokenizer");

    @TempDir
    Path dir;

    @Test
    void encodePrintsIdsSeparatedBySpaces() {
        CommandRun r = CommandRun.run("Hello, world!", "encode");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("15496 11 995 0\n", r.out());
        assertEquals("4\n", CommandRun.run("Hello, world!", "encode", "--count").out());
        assertEquals("\n", CommandRun.run("", "encode").out());
    }

    @Test
    void endOfTextIsOrdinaryTextUnlessAllowed() {
        assertEquals("27 91 437 1659 5239 91 29\n", CommandRun.run("<|endoftext|>", "encode").out());
        assertEquals("64 50256\n", CommandRun.run("a<|endoftext|>", "encode", "--allow-special").out());
    }

    @Test
    void decodePrintsTheTextExactly() {
        CommandRun r = CommandRun.run("15496 11 995 0\n", "decode");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("Hello, world!", r.out());
        assertEquals("😀", CommandRun.run("47249, 222", "decode").out());
        assertEquals("", CommandRun.run("", "decode").out());
    }

    @Test
    void theCorpusFileGivesTheReferenceCountAndIdsHash() throws Exception {
        Path corpus = TOKENIZER_DATA.resolve("corpus-5mb.txt");
        String count = Files.readString(TOKENIZER_DATA.resolve("corpus-5mb.count")).strip();
        assertEquals(count + "\n", CommandRun.run("", "encode", "--count", "--file", corpus.toString()).out());
        CommandRun ids = CommandRun.run("", "encode", "--file", corpus.toString());
        String idsLine = ids.out().substring(0, ids.out().length() - 1);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(idsLine.getBytes(StandardCharsets.UTF_8)));
        assertEquals(Files.readString(TOKENIZER_DATA.resolve("corpus-5mb.ids.sha256")).strip().split("\\s+")[0], sha);
        Path idsFile = dir.resolve("ids.txt");
        Files.writeString(idsFile, ids.out());
        assertArrayEquals(Files.readAllBytes(corpus),
                CommandRun.run("", "decode", "--file", idsFile.toString()).stdout());
    }

    @Test
    void jsonlEncodesAndDecodesEveryDevLine() throws Exception {
        byte[] dev = Files.readAllBytes(TOKENIZER_DATA.resolve("gpt2-encode-dev.jsonl"));
        List<String> texts = new ArrayList<>();
        List<List<Integer>> ids = new ArrayList<>();
        for (String line : new String(dev, StandardCharsets.UTF_8).split("\n")) {
            texts.add(field(line, "text").getFirst().toString());
            ids.add(ints(field(line, "ids")));
        }
        // the dev lines hold both fields: encode reads "text", decode reads "ids"
        CommandRun encoded = CommandRun.run(dev, "encode", "--jsonl");
        assertEquals(0, encoded.exitCode(), encoded.stderr());
        String[] idLines = encoded.out().split("\n");
        assertEquals(ids.size(), idLines.length);
        for (int i = 0; i < idLines.length; i++) {
            assertEquals(ids.get(i), ints(field(idLines[i], "ids")), "line " + (i + 1));
        }
        CommandRun decoded = CommandRun.run(dev, "decode", "--jsonl");
        assertEquals(0, decoded.exitCode(), decoded.stderr());
        String[] textLines = decoded.out().split("\n");
        assertEquals(texts.size(), textLines.length);
        for (int i = 0; i < textLines.length; i++) {
            assertEquals(texts.get(i), field(textLines[i], "text").getFirst(), "line " + (i + 1));
        }
        CommandRun counted = CommandRun.run("{\"text\": \"Hello, world!\"}\n\n{\"text\": \"\"}\n", "encode", "--jsonl",
                "--count");
        assertEquals("{\"count\":4}\n{\"count\":0}\n", counted.out());
    }

    @Test
    void jsonlKeepsEscapesAndSurrogatePairsExact() {
        CommandRun r = CommandRun.run("{\"text\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\u2028\"}\n",
                "encode", "--jsonl");
        CommandRun back = CommandRun.run(r.out(), "decode", "--jsonl");
        assertEquals("😀 \"q\" \\ \n\u2028", field(back.out(), "text").getFirst());
    }

    @Test
    void invalidUtf8IsReadAsReplacementCharacterWithOneWarning() {
        CommandRun r = CommandRun.run(new byte[] {'a', (byte) 0xFF, 'b', (byte) 0xC3}, "encode");
        assertEquals(0, r.exitCode());
        assertEquals(CommandRun.run("a\uFFFDb\uFFFD", "encode").out(), r.out());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().contains("not valid UTF-8 (byte 1"), r.stderr());
        byte[] badLine = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}'};
        CommandRun lines = CommandRun.run(badLine, "encode", "--jsonl");
        assertTrue(lines.stderr().contains("stdin line 1 is not valid UTF-8"), lines.stderr());
    }

    @Test
    void inputLongerThanABlockIsReadInBlocksWithTheSameIdsAndTheWholeInputsByteOffsets() throws Exception {
        // "é" (2 bytes) straddles the 1 MiB block boundary, "😀" (4 bytes) the next, an invalid byte lies beyond both
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        fillTo(bytes, (1 << 20) - 1);
        bytes.writeBytes("é again".getBytes(StandardCharsets.UTF_8));
        fillTo(bytes, (2 << 20) - 2);
        bytes.writeBytes("😀 and".getBytes(StandardCharsets.UTF_8));
        int bad = bytes.size() + 1000;
        while (bytes.size() < bad) {
            bytes.write('x');
        }
        bytes.write(0xFF);
        bytes.writeBytes(" end".getBytes(StandardCharsets.UTF_8));
        Path file = dir.resolve("long.txt");
        Files.write(file, bytes.toByteArray());

        String text = new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        int[] expected = Gpt2Tokenizer.gpt2().encodeOrdinary(text);
        CommandRun r = CommandRun.run("", "encode", "--file", file.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        String[] got = r.out().strip().split(" ");
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], Integer.parseInt(got[i]), "id " + i);
        }
        assertTrue(r.stderr().contains("(byte " + bad + " of it is invalid)"), r.stderr());
        assertEquals(expected.length + "\n", CommandRun.run(bytes.toByteArray(), "encode", "--count").out());
    }

    @Test
    void idsLongerThanABlockDecodeAsAWholeAndABadIdIsFoundAtItsIndexInTheWholeInput() throws Exception {
        // most ids here are parts of an emoji's 4 bytes: wherever the blocks of ids are cut, the text must not change
        String text = ("Hello " + "😀".repeat(40) + " world, ").repeat(7_000);
        int[] ids = Gpt2Tokenizer.gpt2().encodeOrdinary(text);
        StringBuilder list = new StringBuilder();
        for (int id : ids) {
            list.append(id).append(' ');
        }
        Path file = dir.resolve("ids.txt");
        Files.writeString(file, list);
        assertTrue(Files.size(file) > 2 << 20, "more than two blocks: " + Files.size(file));
        CommandRun r = CommandRun.run("", "decode", "--file", file.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(text, r.out());

        Files.writeString(file, list + "50257 15496");
        assertError(CommandRun.run("", "decode", "--file", file.toString()),
                "token id 50257 (at index " + ids.length + ") is out of range");
    }

    /** Appends "Hello world, " until {@code bytes} holds {@code size} bytes (the last one cut short). */
    private static void fillTo(ByteArrayOutputStream bytes, int size) {
        byte[] unit = "Hello world, ".getBytes(StandardCharsets.UTF_8);
        while (bytes.size() < size) {
            bytes.write(unit, 0, Math.min(unit.length, size - bytes.size()));
        }
    }

    @Test
    void badInputIsOneLineWithoutStackTrace() {
        assertError(CommandRun.run("15496 50257", "decode"), "token id 50257 (at index 1) is out of range",
                "50257 ids");
        CommandRun bad = CommandRun.run("12 abc", "decode");
        assertError(bad, "stdin, byte 3: \"abc\" is not a token id");
        assertEquals("", bad.out(), "an error in the first block comes before any output");
        assertError(CommandRun.run("99999999999", "decode"), "\"99999999999\" is not a token id");
        assertError(CommandRun.run("", "encode", "--file", dir.resolve("missing.txt").toString()),
                "missing.txt: no such file");
        assertError(CommandRun.run("{\"text\": \"a\"}\n{\"txt\": 1}\n", "encode", "--jsonl"),
                "stdin line 2: expected {\"text\": \"...\"}, found no \"text\" field");
        assertError(CommandRun.run("{\"ids\": [1, 2,\n", "decode", "--jsonl"), "stdin line 1: not valid JSON");
        assertError(CommandRun.run("{\"ids\": [1.5]}\n", "decode", "--jsonl"), "\"ids\" must hold integers");
        // the error quotes what it read, non-ASCII included; a JSON line's error says which line
        assertError(CommandRun.run("12 é 13", "decode"), "stdin, byte 3: \"é\" is not a token id");
        assertError(CommandRun.run("{\"ids\": [1]}\n{\"ids\": [3, 50257]}\n", "decode", "--jsonl"),
                "stdin line 2: token id 50257 (at index 1) is out of range");
        assertError(CommandRun.run("{\"ids\": [2147483648]}\n", "decode", "--jsonl"),
                "stdin line 1: \"ids\" holds 2147483648, which is not a token id");
    }

    @Test
    void invalidUtf8IsOneReplacementCharacterPerMaximalSubpartBothWays() {
        // bytes ED A0 80 (an encoded surrogate): three U+FFFD, as Python's errors='replace'
        CommandRun decoded = CommandRun.run("169 254 222", "decode");
        assertEquals(0, decoded.exitCode(), decoded.stderr());
        assertEquals("\uFFFD\uFFFD\uFFFD", decoded.out());
        CommandRun encoded = CommandRun.run(new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80}, "encode");
        assertEquals(0, encoded.exitCode(), encoded.stderr());
        assertEquals(CommandRun.run("a\uFFFD\uFFFD\uFFFD", "encode").out(), encoded.out());
        assertTrue(encoded.stderr().contains("byte 1 of it is invalid"), encoded.stderr());
    }

    @Test
    void helpDescribesEachCommand() {
        CommandRun encode = CommandRun.run("", "encode", "--help");
        assertEquals(0, encode.exitCode());
        assertTrue(encode.out().contains("--jsonl") && encode.out().contains("--allow-special"), encode.out());
        CommandRun decode = CommandRun.run("", "decode", "--help");
        assertTrue(decode.out().contains("--jsonl"), decode.out());
    }

    private static void assertError(CommandRun r, String... parts) {
        assertEquals(2, r.exitCode(), r.stderr());
        for (String part : parts) {
            assertTrue(r.stderr().contains(part), () -> "stderr: " + r.stderr() + "\nexpected: " + part);
        }
        assertEquals(1, r.stderr().lines().count(), r.stderr());
    }

    /** The values of the field of a JSON object line: a string, or the numbers of an array. */
    private static List<Object> field(String json, String name) {
        List<Object> values = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), json)) {
            p.nextToken();
            for (String n = p.nextName(); n != null; n = p.nextName()) {
                JsonToken t = p.nextToken();
                if (!n.equals(name)) {
                    p.skipChildren();
                } else if (t == JsonToken.VALUE_STRING) {
                    values.add(p.getString());
                } else {
                    for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        values.add(p.getIntValue());
                    }
                }
            }
        }
        return values;
    }

    private static List<Integer> ints(List<Object> values) {
        return values.stream().map(v -> (Integer) v).toList();
    }
}
