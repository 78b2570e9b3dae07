package dev.gpt2.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the two text files of a GPT-2-style vocabulary: the token-to-id JSON object ({@code encoder.json} in OpenAI's
 * release, {@code vocab.json} in Hugging Face's) and the ranked merges ({@code vocab.bpe} / {@code merges.txt}: an
 * optional {@code #version} line, then one merge per line, two tokens separated by one space, the rank being the
 * order). Tokens are written in GPT-2's byte-to-unicode alphabet ({@link ByteLevel}).
 *
 * <p>Errors are one line naming the file, the line and what is wrong: {@link IllegalArgumentException} for malformed
 * content, {@link UncheckedIOException} when a file cannot be read.
 */
final class VocabularyFiles {
    private VocabularyFiles() {
    }

    /** Reads a vocabulary from its JSON token-to-id file and its merges file. */
    static Vocabulary read(Path tokensJson, Path merges) {
        Map<String, Integer> ids = parseTokens(tokensJson, readText(tokensJson));
        int n = ids.size();
        String[] tokens = new String[n];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int id = e.getValue();
            if (id >= n) {
                throw new IllegalArgumentException(tokensJson + ": the ids must be 0.." + (n - 1)
                        + " (one per token), but \"" + e.getKey() + "\" has the id " + id);
            }
            tokens[id] = e.getKey();
        }
        byte[][] tokenBytes = new byte[n][];
        int total = 0;
        for (int id = 0; id < n; id++) {
            tokenBytes[id] = ByteLevel.bytesOf(tokens[id]);
            total += tokenBytes[id].length;
        }
        byte[] bytes = new byte[total];
        int[] offsets = new int[n + 1];
        for (int id = 0; id < n; id++) {
            System.arraycopy(tokenBytes[id], 0, bytes, offsets[id], tokenBytes[id].length);
            offsets[id + 1] = offsets[id] + tokenBytes[id].length;
        }
        int[][] merged = readMerges(merges, ids, tokensJson.getFileName().toString());
        try {
            return Vocabulary.build(bytes, offsets, merged[0], merged[1], merged[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(tokensJson + ": " + e.getMessage(), e);
        }
    }

    private static int[][] readMerges(Path file, Map<String, Integer> ids, String tokensName) {
        String text = readText(file);
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                count++;
            }
        }
        int[][] merges = new int[3][count + 1];
        int m = 0;
        int line = 0;
        for (int start = 0; start < text.length(); ) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            line++;
            String row = text.substring(start, end > start && text.charAt(end - 1) == '\r' ? end - 1 : end);
            start = end + 1;
            if (row.isEmpty() || (line == 1 && row.startsWith("#version"))) {
                continue;
            }
            int space = row.indexOf(' ');
            if (space <= 0 || space == row.length() - 1 || row.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException(file + " line " + line
                        + ": expected two tokens separated by one space, found \"" + row + "\"");
            }
            String left = row.substring(0, space);
            String right = row.substring(space + 1);
            merges[0][m] = idOf(ids, left, file, line, "token", tokensName);
            merges[1][m] = idOf(ids, right, file, line, "token", tokensName);
            merges[2][m] = idOf(ids, left + right, file, line, "merged token", tokensName);
            m++;
        }
        for (int c = 0; c < 3; c++) {
            merges[c] = java.util.Arrays.copyOf(merges[c], m);
        }
        return merges;
    }

    private static int idOf(Map<String, Integer> ids, String token, Path file, int line, String what, String tokens) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException(file + " line " + line + ": the " + what + " \"" + token
                    + "\" is not in " + tokens);
        }
        return id;
    }

    private static String readText(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(file + ": no such file", e);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not valid UTF-8 (" + e + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read it (" + e + ")", e);
        }
    }

    /** Parses one flat JSON object of token strings to distinct non-negative ids. */
    private static Map<String, Integer> parseTokens(Path file, String text) {
        JsonCursor json = new JsonCursor(file.toString(), text);
        Map<String, Integer> ids = new HashMap<>(1 << 17);
        Map<Integer, String> tokens = new HashMap<>(1 << 17);
        json.skipSpace();
        json.expect('{', "'{' (the file must be one JSON object of token to id)");
        json.skipSpace();
        if (json.peek() == '}') {
            throw json.error("the object is empty: expected token-to-id entries");
        }
        do {
            json.skipSpace();
            int at = json.position();
            String token = json.string();
            json.skipSpace();
            json.expect(':', "':' after the token \"" + token + "\"");
            json.skipSpace();
            int id = json.integer("the id of \"" + token + "\"");
            String before = tokens.put(id, token);
            if (before != null) {
                throw json.errorAt(at, "the id " + id + " is given to both \"" + before + "\" and \"" + token + "\"");
            }
            if (ids.put(token, id) != null) {
                throw json.errorAt(at, "the token \"" + token + "\" appears twice");
            }
            json.skipSpace();
        } while (json.consume(','));
        json.expect('}', "',' or '}' after an id");
        json.skipSpace();
        if (!json.atEnd()) {
            throw json.error("unexpected text after the closing '}'");
        }
        return ids;
    }
}
