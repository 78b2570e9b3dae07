package dev.gpt2.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build step: turns {@code encoder.json} + {@code vocab.bpe} into the compact form that {@link Gpt2Tokenizer#gpt2()}
 * loads ({@link Vocabulary#toCompact()}), so that loading needs no JSON parsing, no string hashing and no trial merges.
 * The Maven build runs it after compiling; tests check that the result equals reading the text files.
 */
final class VocabularyCompiler {
    private VocabularyCompiler() {
    }

    /** Arguments: the token JSON file, the merges file, the output file. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: VocabularyCompiler <encoder.json> <vocab.bpe> <output>");
        }
        byte[] compact = VocabularyFiles.read(Path.of(args[0]), Path.of(args[1])).toCompact();
        Path out = Path.of(args[2]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, compact);
    }
}
