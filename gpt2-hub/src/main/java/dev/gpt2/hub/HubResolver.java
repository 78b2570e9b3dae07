package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.hub.HubClient.FileMetadata;
import dev.gpt2.hub.HubClient.Lookup;
import dev.gpt2.hub.progress.Progress;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns a model argument into a {@link ModelLocation}, the way {@code from_pretrained} does:
 * <ol>
 *   <li>{@code random:...} is left to the loader ({@link ModelLocation.Generated}).</li>
 *   <li>An existing folder is used as it is ({@link ModelLocation.LocalPath}), and so is an existing file unless
 *       its name could be a repo id without being a checkpoint file name: {@code gpt2} in the folder of the
 *       {@code ./gpt2} launcher still means the Hub's GPT-2, {@code model.safetensors} or {@code gpt2_124M.bin}
 *       is a file.</li>
 *   <li>Anything else is a Hub repo id ({@code org/name}; {@code gpt2}, {@code gpt2-medium}, {@code gpt2-large},
 *       {@code gpt2-xl}, {@code distilgpt2} are short for their repos, see {@link RepoId}). Its snapshot is looked
 *       up in the Hugging Face cache ({@link HubSettings}) by {@code refs/<revision>}, so a model that Python's
 *       transformers downloaded is used as it is, without any network access.</li>
 *   <li>What the cache lacks is downloaded, unless offline: {@code config.json}, {@code model.safetensors} (or
 *       {@code model.safetensors.index.json} and every shard it names), and {@code vocab.json} and
 *       {@code merges.txt} when the repo has them. Downloads resume, are checked and land in the cache exactly as
 *       huggingface_hub puts them (blobs named by ETag, snapshot symlinks, refs), with a progress bar.</li>
 * </ol>
 * A cached snapshot is used without asking the Hub whether the revision moved; delete the repo's folder in the
 * cache to get the newest. Thread-safe; processes sharing a cache take turns on each file.
 *
 * <p>Every failure is a {@link Gpt2Exception} with a one-line message: {@code NOT_FOUND} for an unknown path, repo,
 * revision or a model that is not cached while offline; {@code IO} for the network, access (401/403) and a cache
 * that cannot be written (disk full); {@code INVALID_MODEL} for a download that fails its checksum or a repo whose
 * file names would escape the cache; {@code INVALID_ARGUMENT} for a malformed revision.
 */
public final class HubResolver {
    /** The checkpoint's configuration. */
    static final String CONFIG = "config.json";
    /** The checkpoint's weights when not sharded. */
    static final String WEIGHTS = "model.safetensors";
    /** The model files whose absence is tolerated: without them the bundled GPT-2 vocabulary is used. */
    static final List<String> TOKENIZER_FILES = List.of(ModelLocation.VOCAB, ModelLocation.MERGES);
    /** The prefix of the generated models the loader makes itself. */
    static final String GENERATED_PREFIX = "random:";

    private static final System.Logger LOG = System.getLogger(HubResolver.class.getName());

    private final HubSettings settings;
    private final Progress progress;
    private final HubCache cache;
    private final HubClient client;
    private final BlobFetcher fetcher;

    private HubResolver(HubSettings settings, Progress progress) {
        this.settings = Objects.requireNonNull(settings);
        this.progress = Objects.requireNonNull(progress);
        this.cache = new HubCache(settings.cacheDir());
        this.client = new HubClient(settings);
        this.fetcher = new BlobFetcher(client, cache, progress, settings);
    }

    /**
     * A resolver set up from the environment ({@link HubSettings#fromEnvironment()}), showing download progress on
     * stderr ({@link Progress#toStderr()}) unless {@code HF_HUB_DISABLE_PROGRESS_BARS} is set.
     */
    public static HubResolver fromEnvironment() {
        boolean quiet = HubSettings.isTrue(System.getenv("HF_HUB_DISABLE_PROGRESS_BARS"));
        return new HubResolver(HubSettings.fromEnvironment(), quiet ? Progress.off() : Progress.toStderr());
    }

    /** A resolver with explicit settings and progress display. */
    public static HubResolver of(HubSettings settings, Progress progress) {
        return new HubResolver(settings, progress);
    }

    /** Where the Hub and the cache are. */
    public HubSettings settings() {
        return settings;
    }

    /**
     * Resolves a model argument (see the class description).
     *
     * @param modelArgument a path, {@code random:SIZE}, a short name or a Hub repo id
     * @param revision      branch, tag or commit hash of a Hub repo; empty means {@code main}
     * @param offline       use only the cache (also when {@link HubSettings#offline()} says so)
     * @throws Gpt2Exception if the model cannot be found, downloaded or checked (one-line message)
     */
    public ModelLocation resolve(String modelArgument, Optional<String> revision, boolean offline) {
        String argument = Objects.requireNonNull(modelArgument, "modelArgument").strip();
        if (argument.isEmpty()) {
            throw new Gpt2Exception(Gpt2Exception.Kind.INVALID_ARGUMENT, "the model is empty: give a folder, a "
                    + ".safetensors file, random:124M or a Hub model name like gpt2");
        }
        if (argument.toLowerCase(Locale.ROOT).startsWith(GENERATED_PREFIX)) {
            return new ModelLocation.Generated(argument);
        }
        Optional<Path> path = existingPath(argument);
        Optional<RepoId> repo = looksLikeFile(argument) ? Optional.empty() : RepoId.parse(argument);
        if (path.isPresent() && (repo.isEmpty() || Files.isDirectory(path.get()))) {
            return new ModelLocation.LocalPath(path.get());
        }
        if (repo.isEmpty()) {
            throw new Gpt2Exception(Gpt2Exception.Kind.NOT_FOUND, "model " + argument + " does not exist: give a "
                    + "folder, a .safetensors file, an llm.c .bin checkpoint, random:124M or a Hub model name like gpt2"
                    + " or org/name");
        }
        try {
            return resolveRepo(repo.get(), revision.orElse("main"), offline);
        } catch (Gpt2Exception e) {
            if (e.kind() == Gpt2Exception.Kind.NOT_FOUND && argument.contains("/")) {
                throw new Gpt2Exception(e.kind(), e.getMessage() + " (nor is there a local folder " + argument + ")",
                        e);
            }
            throw e;
        }
    }

    /**
     * The snapshot folder of a Hub repo at a revision: from the cache, downloading what it lacks unless offline.
     *
     * @throws Gpt2Exception if the repo cannot be found, downloaded or checked (one-line message)
     */
    public ModelLocation.HubSnapshot resolveRepo(RepoId repo, String revision, boolean offline) {
        RepoPaths.checkRevision(revision);
        boolean useNetwork = !(offline || settings.offline());
        for (String folderName : repo.cacheFolders()) {
            Path repoFolder = cache.repoFolder(folderName);
            Optional<String> commit = RepoPaths.isCommitHash(revision) ? Optional.of(revision)
                    : cache.readRef(repoFolder, revision);
            if (commit.isPresent() && hasWeights(repo, cache.snapshot(repoFolder, commit.get()))) {
                Path snapshot = cache.snapshot(repoFolder, commit.get());
                boolean downloaded = useNetwork && topUpTokenizer(repo, repoFolder, commit.get(), snapshot);
                LOG.log(System.Logger.Level.DEBUG, "{0} at {1}: cached in {2}", repo, revision, snapshot);
                return new ModelLocation.HubSnapshot(repo, commit.get(), snapshot, downloaded);
            }
        }
        if (!useNetwork) {
            throw new Gpt2Exception(Gpt2Exception.Kind.NOT_FOUND, "model " + repo + " (revision " + revision
                    + ") is not in the Hugging Face cache at " + cache.root() + " and offline mode is on ("
                    + (settings.offline() ? "HF_HUB_OFFLINE" : "--offline")
                    + "): run once online to download it, or pass a local folder");
        }
        return download(repo, revision);
    }

    private ModelLocation.HubSnapshot download(RepoId repo, String revision) {
        Path repoFolder = cache.repoFolder(repo.folderName());
        FileMetadata config = require(client.lookUp(repo, revision, CONFIG), () -> new Gpt2Exception(
                Gpt2Exception.Kind.NOT_FOUND, repo + " has no " + CONFIG + " at revision " + revision + " on "
                + settings.endpoint() + ": it is not a transformers checkpoint, or the name or revision is wrong"));
        String commit = config.commit();
        cache.writeRef(repoFolder, revision, commit);
        Path snapshot = cache.snapshot(repoFolder, commit);
        progress.note("Fetching " + repo + " (" + (revision.equals(commit) ? commit : revision + " = " + commit)
                + ") from " + settings.endpoint() + " into " + cache.root());
        boolean downloaded = fetcher.fetch(repo, repoFolder, snapshot, CONFIG, config);
        Lookup weights = client.lookUp(repo, commit, WEIGHTS);
        if (weights instanceof Lookup.Found(FileMetadata metadata)) {
            downloaded |= fetcher.fetch(repo, repoFolder, snapshot, WEIGHTS, metadata);
        } else {
            cache.markMissing(repoFolder, commit, WEIGHTS);
            FileMetadata index = require(client.lookUp(repo, commit, ShardIndex.FILE), () -> new Gpt2Exception(
                    Gpt2Exception.Kind.NOT_FOUND, repo + " has neither " + WEIGHTS + " nor " + ShardIndex.FILE
                    + " at revision " + revision + ": its weights are in another format (pytorch_model.bin?); "
                    + "convert them to safetensors or pick a repo that has them"));
            downloaded |= fetcher.fetch(repo, repoFolder, snapshot, ShardIndex.FILE, index);
            for (String shard : shards(repo, snapshot)) {
                FileMetadata metadata = require(client.lookUp(repo, commit, shard), () -> new Gpt2Exception(
                        Gpt2Exception.Kind.INVALID_MODEL, repo + "'s " + ShardIndex.FILE + " names the shard " + shard
                        + ", which the repo does not have at revision " + revision
                        + ": the checkpoint is broken, ask its owner or use another revision"));
                downloaded |= fetcher.fetch(repo, repoFolder, snapshot, shard, metadata);
            }
        }
        for (String file : TOKENIZER_FILES) {
            if (client.lookUp(repo, commit, file) instanceof Lookup.Found(FileMetadata metadata)) {
                downloaded |= fetcher.fetch(repo, repoFolder, snapshot, file, metadata);
            } else {
                cache.markMissing(repoFolder, commit, file);
            }
        }
        return new ModelLocation.HubSnapshot(repo, commit, snapshot, downloaded);
    }

    /**
     * Fetches the tokenizer files a cached snapshot lacks and the cache does not already know to be missing. They
     * are optional, so a failure here (no network) leaves the snapshot as it is.
     */
    private boolean topUpTokenizer(RepoId repo, Path repoFolder, String commit, Path snapshot) {
        boolean downloaded = false;
        for (String file : TOKENIZER_FILES) {
            if (Files.exists(snapshot.resolve(file)) || cache.isMarkedMissing(repoFolder, commit, file)) {
                continue;
            }
            try {
                if (client.lookUp(repo, commit, file) instanceof Lookup.Found(FileMetadata metadata)) {
                    downloaded |= fetcher.fetch(repo, repoFolder, snapshot, file, metadata);
                } else {
                    cache.markMissing(repoFolder, commit, file);
                }
            } catch (Gpt2Exception e) {
                LOG.log(System.Logger.Level.INFO, "not fetching the optional {0} of {1}: {2}", file, repo,
                        e.getMessage());
                return downloaded;
            }
        }
        return downloaded;
    }

    /** Whether a snapshot holds the config and every weight file (all shards of a sharded checkpoint). */
    private static boolean hasWeights(RepoId repo, Path snapshot) {
        if (!Files.isRegularFile(snapshot.resolve(CONFIG))) {
            return false;
        }
        if (Files.isRegularFile(snapshot.resolve(WEIGHTS))) {
            return true;
        }
        if (!Files.isRegularFile(snapshot.resolve(ShardIndex.FILE))) {
            return false;
        }
        for (String shard : shards(repo, snapshot)) {
            if (!Files.isRegularFile(RepoPaths.inside(snapshot, shard, repo + "'s " + ShardIndex.FILE))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> shards(RepoId repo, Path snapshot) {
        return ShardIndex.shardFiles(snapshot.resolve(ShardIndex.FILE), repo + "'s " + ShardIndex.FILE);
    }

    private static FileMetadata require(Lookup lookup, Supplier<Gpt2Exception> missing) {
        if (lookup instanceof Lookup.Found(FileMetadata metadata)) {
            return metadata;
        }
        throw missing.get();
    }

    private static Optional<Path> existingPath(String argument) {
        try {
            Path path = Path.of(argument);
            return Files.exists(path) ? Optional.of(path) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** A name that can only mean a file: a checkpoint or JSON file name. */
    private static boolean looksLikeFile(String argument) {
        String lower = argument.toLowerCase(Locale.ROOT);
        return lower.endsWith(".safetensors") || lower.endsWith(".bin") || lower.endsWith(".json");
    }
}
