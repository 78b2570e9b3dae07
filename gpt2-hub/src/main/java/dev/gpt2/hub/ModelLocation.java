package dev.gpt2.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a model argument led: a local path, a generated model the loader makes itself, or a snapshot folder in
 * the Hugging Face cache. Hand {@link #loaderArgument()} to the loader; tokenize with the files in
 * {@link #tokenizerFolder()} when there is one, else with the bundled GPT-2 vocabulary.
 */
public sealed interface ModelLocation {

    /** The tokenizer files that make a folder a tokenizer folder. */
    String VOCAB = "vocab.json";
    /** The tokenizer files that make a folder a tokenizer folder. */
    String MERGES = "merges.txt";

    /** What the loader takes: the path of the folder or file, or the generated model's spec unchanged. */
    String loaderArgument();

    /** The local folder or file, unless the model is generated. */
    Optional<Path> localPath();

    /** The folder holding {@code vocab.json} and {@code merges.txt} beside the weights, if they are there. */
    Optional<Path> tokenizerFolder();

    /**
     * A folder or file that exists.
     *
     * @param path the argument as a path
     */
    record LocalPath(Path path) implements ModelLocation {
        public LocalPath {
            Objects.requireNonNull(path);
        }

        @Override
        public String loaderArgument() {
            return path.toString();
        }

        @Override
        public Optional<Path> localPath() {
            return Optional.of(path);
        }

        /** The folder itself, or a file's folder, when it has both tokenizer files. */
        @Override
        public Optional<Path> tokenizerFolder() {
            Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
            return ModelLocation.tokenizerFolderOf(folder);
        }
    }

    /**
     * A model the loader generates ({@code random:124M}); nothing to find or download.
     *
     * @param spec the argument as given
     */
    record Generated(String spec) implements ModelLocation {
        public Generated {
            Objects.requireNonNull(spec);
        }

        @Override
        public String loaderArgument() {
            return spec;
        }

        @Override
        public Optional<Path> localPath() {
            return Optional.empty();
        }

        @Override
        public Optional<Path> tokenizerFolder() {
            return Optional.empty();
        }
    }

    /**
     * A snapshot folder of the Hugging Face cache ({@code models--org--name/snapshots/<commit>}) with the
     * config and every weight file in it.
     *
     * @param repo       the repo
     * @param commit     the commit the snapshot holds
     * @param folder     the snapshot folder
     * @param downloaded whether this call downloaded anything (false: everything was in the cache)
     */
    record HubSnapshot(RepoId repo, String commit, Path folder, boolean downloaded) implements ModelLocation {
        public HubSnapshot {
            Objects.requireNonNull(repo);
            Objects.requireNonNull(commit);
            Objects.requireNonNull(folder);
        }

        @Override
        public String loaderArgument() {
            return folder.toString();
        }

        @Override
        public Optional<Path> localPath() {
            return Optional.of(folder);
        }

        @Override
        public Optional<Path> tokenizerFolder() {
            return ModelLocation.tokenizerFolderOf(folder);
        }
    }

    private static Optional<Path> tokenizerFolderOf(Path folder) {
        return folder != null && Files.isRegularFile(folder.resolve(VOCAB)) && Files.isRegularFile(folder.resolve(MERGES))
                ? Optional.of(folder)
                : Optional.empty();
    }
}
