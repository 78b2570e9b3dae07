package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.hub.FakeHub.Fault;
import dev.gpt2.hub.progress.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Resolution against a fake Hub on loopback serving the fixture checkpoint tiny-b. */
class HubResolverTest {
    private static final String REPO = "test-org/tiny-gpt2";
    private static final String SECRET = "hf_not-a-real-token-1234";
    private static final Path MODEL = Path.of(System.getProperty("gpt2.testdata", "../testdata"), "models", "tiny-b");
    private static final byte[] VOCAB = "{\"a\": 0, \"b\": 1}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MERGES = "#version: 0.2\na b\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;

    private FakeHub hub;
    private Path cache;
    private byte[] config;
    private byte[] weights;
    private final ByteArrayOutputStream progressOutput = new ByteArrayOutputStream();

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        cache = temp.resolve("hub");
        config = Files.readAllBytes(MODEL.resolve("config.json"));
        weights = Files.readAllBytes(MODEL.resolve("model.safetensors"));
        hub.repo(REPO).file("config.json", config).file("model.safetensors", weights)
                .file("vocab.json", VOCAB).file("merges.txt", MERGES);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HubResolver resolver(Optional<HubToken> token) {
        HubSettings settings = new HubSettings(hub.endpoint(), cache, token, false,
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ZERO);
        Progress progress = Progress.to(new PrintStream(progressOutput, true, StandardCharsets.UTF_8),
                Progress.Mode.LINES, System::nanoTime, Duration.ofSeconds(10), 80);
        return HubResolver.of(settings, progress);
    }

    private HubResolver resolver() {
        return resolver(Optional.empty());
    }

    private ModelLocation.HubSnapshot resolve(HubResolver resolver, String model) {
        return assertInstanceOf(ModelLocation.HubSnapshot.class, resolver.resolve(model, Optional.empty(), false));
    }

    private Path repoFolder(String repo) {
        return cache.resolve("models--" + repo.replace("/", "--"));
    }

    private String commit(String repo) {
        return hub.repo(repo).commit;
    }

    @Test
    void firstDownloadWritesTheCacheLayoutOfHuggingfaceHub() throws IOException {
        ModelLocation.HubSnapshot snapshot = resolve(resolver(), REPO);

        Path repoFolder = repoFolder(REPO);
        Path folder = repoFolder.resolve("snapshots").resolve(commit(REPO));
        assertEquals(folder, snapshot.folder());
        assertEquals(folder.toString(), snapshot.loaderArgument());
        assertEquals(Optional.of(folder), snapshot.tokenizerFolder());
        assertTrue(snapshot.downloaded());
        assertEquals(commit(REPO), Files.readString(repoFolder.resolve("refs/main")));

        String sha = FakeHub.sha256(weights);
        assertEquals(Path.of("../../blobs/" + sha), Files.readSymbolicLink(folder.resolve("model.safetensors")));
        assertEquals(Path.of("../../blobs/" + FakeHub.gitBlobId(config)),
                Files.readSymbolicLink(folder.resolve("config.json")));
        assertArrayEquals(weights, Files.readAllBytes(folder.resolve("model.safetensors")));
        assertArrayEquals(config, Files.readAllBytes(folder.resolve("config.json")));
        assertArrayEquals(VOCAB, Files.readAllBytes(folder.resolve("vocab.json")));
        assertArrayEquals(MERGES, Files.readAllBytes(folder.resolve("merges.txt")));
        try (Stream<Path> blobs = Files.list(repoFolder.resolve("blobs"))) {
            assertFalse(blobs.anyMatch(p -> p.toString().endsWith(".incomplete")), "no partial download left");
        }
        assertTrue(Files.exists(cache.resolve(".locks/models--test-org--tiny-gpt2/" + sha + ".lock")));

        List<FakeHub.Request> cdn = hub.requests("cdn");
        assertEquals(1, cdn.size(), "the weights came from the CDN once");
        assertTrue(cdn.getFirst().path().endsWith(sha));
        String progress = progressOutput.toString(StandardCharsets.UTF_8);
        assertTrue(progress.contains("Fetching " + REPO + " (main = " + commit(REPO) + ")"), progress);
        assertTrue(progress.contains("model.safetensors: 20.4 MB in "), progress);
    }

    @Test
    void secondResolveUsesTheCacheWithoutTheNetwork() {
        resolve(resolver(), REPO);
        int before = hub.requests().size();

        ModelLocation.HubSnapshot online = resolve(resolver(), REPO);
        ModelLocation location = resolver().resolve(REPO, Optional.empty(), true);

        assertFalse(online.downloaded());
        assertEquals(online, location);
        assertEquals(before, hub.requests().size(), "no request once everything is cached");
    }

    @Test
    void offlineWithNothingCachedSaysSoAndStaysOffline() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> resolver().resolve(REPO, Optional.empty(), true));

        assertEquals(Gpt2Exception.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("not in the Hugging Face cache at " + cache), e.getMessage());
        assertTrue(e.getMessage().contains("offline"), e.getMessage());
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void offlineFromTheEnvironmentSetting() {
        HubResolver offline = HubResolver.of(resolver().settings().withOffline(true), Progress.off());

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> offline.resolve(REPO, Optional.empty(), false));

        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void findsACacheThatPythonWroteUnderTheShortNameAndTheOldOne() throws IOException {
        for (String folderName : List.of("models--openai-community--gpt2", "models--gpt2")) {
            Path repoFolder = cache.resolve(folderName);
            String commit = "607a30d783dfa663caf39e06633721c8d4cfcd7e";
            Path snapshot = writePythonCache(repoFolder, commit);

            ModelLocation location = resolver().resolve("gpt2", Optional.empty(), true);

            ModelLocation.HubSnapshot hit = assertInstanceOf(ModelLocation.HubSnapshot.class, location);
            assertEquals(snapshot, hit.folder());
            assertEquals("openai-community/gpt2", hit.repo().id());
            assertEquals(Optional.empty(), hit.tokenizerFolder());
            deleteTree(repoFolder);
        }
    }

    /** A cache entry the way huggingface_hub writes it: refs, blobs, relative symlinks. */
    private Path writePythonCache(Path repoFolder, String commit) throws IOException {
        Files.createDirectories(repoFolder.resolve("refs"));
        Files.writeString(repoFolder.resolve("refs/main"), commit);
        Path snapshot = repoFolder.resolve("snapshots").resolve(commit);
        Files.createDirectories(snapshot);
        Files.createDirectories(repoFolder.resolve("blobs"));
        for (String file : List.of("config.json", "model.safetensors")) {
            byte[] content = Files.readAllBytes(MODEL.resolve(file));
            String blob = file.equals("config.json") ? FakeHub.gitBlobId(content) : FakeHub.sha256(content);
            Files.write(repoFolder.resolve("blobs").resolve(blob), content);
            Files.createSymbolicLink(snapshot.resolve(file), Path.of("../../blobs/" + blob));
        }
        return snapshot;
    }

    @Test
    void aRevisionIsRecordedAsARefAndACommitNamesItsSnapshot() throws IOException {
        hub.repo(REPO).tag("v1.0");

        ModelLocation.HubSnapshot tagged = assertInstanceOf(ModelLocation.HubSnapshot.class,
                resolver().resolve(REPO, Optional.of("v1.0"), false));
        ModelLocation byCommit = resolver().resolve(REPO, Optional.of(commit(REPO)), true);

        assertEquals(commit(REPO), Files.readString(repoFolder(REPO).resolve("refs/v1.0")));
        assertFalse(Files.exists(repoFolder(REPO).resolve("refs/main")));
        assertEquals(tagged.folder(), assertInstanceOf(ModelLocation.HubSnapshot.class, byCommit).folder());
        assertTrue(hub.requests("hub").stream().anyMatch(r -> r.path().contains("/resolve/v1.0/config.json")));
    }

    @Test
    void anUnknownRevisionIsNotFound() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> resolver().resolve(REPO, Optional.of("no-such-branch"), false));

        assertEquals(Gpt2Exception.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("revision 'no-such-branch' not found in " + REPO), e.getMessage());
    }

    @Test
    void resumesWithARangeRequestAfterACutConnection() throws IOException {
        hub.queue(new Fault.CutAfter(3_000_000));

        ModelLocation.HubSnapshot snapshot = resolve(resolver(), REPO);

        assertArrayEquals(weights, Files.readAllBytes(snapshot.folder().resolve("model.safetensors")));
        List<FakeHub.Request> cdn = hub.requests("cdn");
        assertEquals(2, cdn.size());
        assertEquals(Optional.empty(), cdn.get(0).header("Range"));
        long resumedAt = rangeStart(cdn.get(1));
        assertTrue(resumedAt > 0 && resumedAt <= 3_000_000, "resumed at " + resumedAt);
    }

    @Test
    void anInterruptedDownloadLooksIncompleteAndTheNextRunResumesIt() throws IOException {
        hub.queue(new Fault.CutAfter(3_000_000));
        for (int i = 0; i < 6; i++) {
            hub.queue(new Fault.Status(503));
        }

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), REPO));

        assertEquals(Gpt2Exception.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("interrupted at") && e.getMessage().contains("run again to resume"),
                e.getMessage());
        String sha = FakeHub.sha256(weights);
        Path blobs = repoFolder(REPO).resolve("blobs");
        Path snapshot = repoFolder(REPO).resolve("snapshots").resolve(commit(REPO));
        long kept = Files.size(blobs.resolve(sha + ".incomplete"));
        assertTrue(kept > 0 && kept <= 3_000_000, "kept " + kept);
        assertFalse(Files.exists(blobs.resolve(sha)));
        assertFalse(Files.exists(snapshot.resolve("model.safetensors"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(resolverFindsItOffline());

        int before = hub.requests("cdn").size();
        ModelLocation.HubSnapshot resumed = resolve(resolver(), REPO);

        assertArrayEquals(weights, Files.readAllBytes(resumed.folder().resolve("model.safetensors")));
        assertEquals(kept, rangeStart(hub.requests("cdn").get(before)));
        assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));
    }

    private boolean resolverFindsItOffline() {
        try {
            resolver().resolve(REPO, Optional.empty(), true);
            return true;
        } catch (Gpt2Exception e) {
            return false;
        }
    }

    @Test
    void aServerThatIgnoresTheRangeIsReadFromTheStart() throws IOException {
        hub.queue(new Fault.CutAfter(2_000_000), new Fault.IgnoreRange());

        ModelLocation.HubSnapshot snapshot = resolve(resolver(), REPO);

        assertArrayEquals(weights, Files.readAllBytes(snapshot.folder().resolve("model.safetensors")));
    }

    @Test
    void aStalledTransferIsCutAndResumed() throws IOException {
        hub.queue(new Fault.Stall(Duration.ofSeconds(30)));
        HubResolver impatient = HubResolver.of(resolver().settings().withTimeouts(Duration.ofSeconds(5),
                Duration.ofMillis(300), Duration.ZERO), Progress.off());

        ModelLocation.HubSnapshot snapshot = resolve(impatient, REPO);

        assertArrayEquals(weights, Files.readAllBytes(snapshot.folder().resolve("model.safetensors")));
        assertEquals(1000, rangeStart(hub.requests("cdn").get(1)));
    }

    @Test
    void aPartialDownloadThatAnotherProgramGrewIsDeleted() throws Exception {
        hub.queue(new Fault.Stall(Duration.ofSeconds(30)));
        HubResolver resolver = HubResolver.of(resolver().settings().withTimeouts(Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ZERO), Progress.off());
        Path incomplete = repoFolder(REPO).resolve("blobs").resolve(FakeHub.sha256(weights) + ".incomplete");
        Thread appender = Thread.ofVirtual().start(() -> {
            try {
                while (!Files.exists(incomplete) || Files.size(incomplete) < 1000) {
                    Thread.sleep(5);
                }
                Files.write(incomplete, new byte[weights.length], StandardOpenOption.APPEND);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver, REPO));
        appender.join();

        assertEquals(Gpt2Exception.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("another program"), e.getMessage());
        assertFalse(Files.exists(incomplete));
        assertFalse(resolverFindsItOffline());
    }

    @Test
    void aChecksumMismatchIsRefusedAndTheBadCopyDeleted() throws IOException {
        hub.queue(new Fault.Corrupt());

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), REPO));

        assertEquals(Gpt2Exception.Kind.INVALID_MODEL, e.kind());
        String sha = FakeHub.sha256(weights);
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains(sha), e.getMessage());
        Path blobs = repoFolder(REPO).resolve("blobs");
        assertFalse(Files.exists(blobs.resolve(sha)));
        assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));
        assertFalse(resolverFindsItOffline());

        ModelLocation.HubSnapshot again = resolve(resolver(), REPO);
        assertArrayEquals(weights, Files.readAllBytes(again.folder().resolve("model.safetensors")));
    }

    @Test
    void anUnknownRepoIsNotFound() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), "test-org/no-such-model"));

        assertEquals(Gpt2Exception.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().startsWith("model test-org/no-such-model not found on " + hub.endpoint()
                + " (HTTP 404)"), e.getMessage());
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(nor is there a local folder test-org/no-such-model)"), e.getMessage());
    }

    @Test
    void aRepoWithoutConfigIsNotACheckpoint() {
        hub.repo("test-org/empty").file("README.md", "# nothing".getBytes(StandardCharsets.UTF_8));

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), "test-org/empty"));

        assertEquals(Gpt2Exception.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("has no config.json"), e.getMessage());
    }

    @Test
    void aPrivateRepoNeedsTheTokenWhichNeverLeavesTheHubsOrigin() throws IOException {
        hub.repo("test-org/private").privateWith(SECRET).file("config.json", config).file("model.safetensors", weights);

        Gpt2Exception anonymous = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), "test-org/private"));
        Gpt2Exception wrong = assertThrows(Gpt2Exception.class,
                () -> resolve(resolver(HubToken.of("hf_wrong")), "test-org/private"));
        ModelLocation.HubSnapshot snapshot = resolve(resolver(HubToken.of(SECRET)), "test-org/private");

        assertEquals(Gpt2Exception.Kind.NOT_FOUND, anonymous.kind());
        assertTrue(anonymous.getMessage().contains("(HTTP 401)") && anonymous.getMessage().contains("set HF_TOKEN"),
                anonymous.getMessage());
        assertEquals(Gpt2Exception.Kind.IO, wrong.kind());
        assertTrue(wrong.getMessage().contains("refused HF_TOKEN"), wrong.getMessage());
        assertArrayEquals(weights, Files.readAllBytes(snapshot.folder().resolve("model.safetensors")));
        List<FakeHub.Request> hubRequests = hub.requests("hub");
        assertTrue(hubRequests.stream().anyMatch(r -> r.header("Authorization").equals(Optional.of("Bearer " + SECRET))));
        assertFalse(hub.requests("cdn").isEmpty());
        for (FakeHub.Request request : hub.requests("cdn")) {
            assertEquals(Optional.empty(), request.header("Authorization"), "no token for the CDN");
        }
        for (String text : List.of(anonymous.getMessage(), wrong.getMessage(), progressOutput.toString(),
                resolver(HubToken.of(SECRET)).settings().toString())) {
            assertFalse(text.contains(SECRET), text);
        }
    }

    @Test
    void aGatedRepoSaysHowToGetAccess() {
        hub.repo("test-org/gated").gated().file("config.json", config);

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), "test-org/gated"));

        assertEquals(Gpt2Exception.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("gated") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
    }

    @Test
    void aRenamedRepoIsFollowedThroughTheHubsRelativeRedirect() throws IOException {
        hub.rename("old-org/tiny", REPO);

        ModelLocation.HubSnapshot snapshot = resolve(resolver(), "old-org/tiny");

        assertEquals(repoFolder("old-org/tiny").resolve("snapshots").resolve(commit(REPO)), snapshot.folder());
        assertArrayEquals(weights, Files.readAllBytes(snapshot.folder().resolve("model.safetensors")));
    }

    @Test
    void aShardedCheckpointBringsTheIndexAndEveryShard() throws IOException {
        byte[] first = Arrays.copyOfRange(weights, 0, weights.length / 2);
        byte[] second = Arrays.copyOfRange(weights, weights.length / 2, weights.length);
        String index = """
                {"metadata": {"total_size": 123},
                 "weight_map": {"transformer.wte.weight": "model-00001-of-00002.safetensors",
                                "transformer.h.0.ln_1.weight": "model-00001-of-00002.safetensors",
                                "transformer.ln_f.weight": "model-00002-of-00002.safetensors"}}""";
        hub.repo("test-org/sharded").file("config.json", config)
                .file("model.safetensors.index.json", index.getBytes(StandardCharsets.UTF_8))
                .file("model-00001-of-00002.safetensors", first)
                .file("model-00002-of-00002.safetensors", second);

        ModelLocation.HubSnapshot snapshot = resolve(resolver(), "test-org/sharded");

        assertArrayEquals(first, Files.readAllBytes(snapshot.folder().resolve("model-00001-of-00002.safetensors")));
        assertArrayEquals(second, Files.readAllBytes(snapshot.folder().resolve("model-00002-of-00002.safetensors")));
        Path noExist = repoFolder("test-org/sharded").resolve(".no_exist").resolve(commit("test-org/sharded"));
        assertTrue(Files.exists(noExist.resolve("model.safetensors")));
        assertTrue(Files.exists(noExist.resolve("vocab.json")));
        assertEquals(snapshot.folder(), assertInstanceOf(ModelLocation.HubSnapshot.class,
                resolver().resolve("test-org/sharded", Optional.empty(), true)).folder());
    }

    @Test
    void aShardNameThatWouldEscapeTheCacheIsRefused() throws IOException {
        String index = "{\"weight_map\": {\"wte.weight\": \"../../../../escaped.safetensors\"}}";
        hub.repo("test-org/evil").file("config.json", config)
                .file("model.safetensors.index.json", index.getBytes(StandardCharsets.UTF_8))
                .file("../../../../escaped.safetensors", weights);

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), "test-org/evil"));

        assertEquals(Gpt2Exception.Kind.INVALID_MODEL, e.kind());
        assertTrue(e.getMessage().contains("'../../../../escaped.safetensors'"), e.getMessage());
        try (Stream<Path> all = Files.walk(temp)) {
            assertFalse(all.anyMatch(p -> p.getFileName().toString().contains("escaped")));
        }
        assertTrue(hub.requests().stream().noneMatch(r -> r.path().contains("escaped")));
    }

    @Test
    void concurrentResolvesDownloadEachFileOnce() throws Exception {
        HubResolver resolver = resolver();
        Callable<ModelLocation> task = () -> resolver.resolve(REPO, Optional.empty(), false);
        List<Future<ModelLocation>> results;
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            results = pool.invokeAll(List.of(task, task, task));
        }

        Path folder = results.getFirst().get().localPath().orElseThrow();
        for (Future<ModelLocation> result : results) {
            assertEquals(folder, result.get().localPath().orElseThrow());
        }
        assertArrayEquals(weights, Files.readAllBytes(folder.resolve("model.safetensors")));
        assertEquals(1, hub.requests("cdn").size());
    }

    @Test
    void aFullDiskIsAOneLineErrorAndNotRetried() throws IOException {
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.exists(devFull), "needs /dev/full (Linux)");
        Path blobs = repoFolder(REPO).resolve("blobs");
        Files.createDirectories(blobs);
        Files.createSymbolicLink(blobs.resolve(FakeHub.sha256(weights) + ".incomplete"), devFull);

        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolve(resolver(), REPO));

        assertEquals(Gpt2Exception.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains("HF_HUB_CACHE"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(1, hub.requests("cdn").size(), "a full disk is not retried");
    }

    @Test
    void theTokenizerFilesMayBeAbsentAndAreNotAskedForAgain() {
        hub.repo("test-org/no-tokenizer").file("config.json", config).file("model.safetensors", weights);

        ModelLocation.HubSnapshot first = resolve(resolver(), "test-org/no-tokenizer");
        int before = hub.requests().size();
        ModelLocation.HubSnapshot second = resolve(resolver(), "test-org/no-tokenizer");

        assertEquals(Optional.empty(), first.tokenizerFolder());
        assertEquals(first.folder(), second.folder());
        assertEquals(before, hub.requests().size());
    }

    @Test
    void aCachedSnapshotWithoutTokenizerFilesGetsThemWhenOnline() throws IOException {
        Path snapshot = writePythonCache(repoFolder(REPO), commit(REPO));

        ModelLocation.HubSnapshot location = resolve(resolver(), REPO);

        assertEquals(snapshot, location.folder());
        assertEquals(Optional.of(snapshot), location.tokenizerFolder());
        assertTrue(hub.requests("cdn").isEmpty(), "the cached weights are not downloaded again");
    }

    @Test
    void pathsAndGeneratedModelsAreLeftAsTheyAre() {
        ModelLocation local = resolver().resolve(MODEL.toString(), Optional.empty(), false);
        ModelLocation file = resolver().resolve(MODEL.resolve("model.safetensors").toString(), Optional.empty(), false);
        ModelLocation generated = resolver().resolve("random:124M", Optional.empty(), false);

        assertEquals(new ModelLocation.LocalPath(MODEL), local);
        assertEquals(Optional.empty(), local.tokenizerFolder());
        assertEquals(MODEL.resolve("model.safetensors").toString(), file.loaderArgument());
        assertEquals(new ModelLocation.Generated("random:124M"), generated);
        assertEquals("random:124M", generated.loaderArgument());
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void aFileNamedLikeARepoIsNotAModelButAFolderIs() {
        assertTrue(Files.isRegularFile(Path.of("pom.xml")) && Files.isDirectory(Path.of("src")), "run in gpt2-hub");

        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> resolver().resolve("pom.xml", Optional.empty(), true));
        ModelLocation folder = resolver().resolve("src", Optional.empty(), true);

        assertTrue(e.getMessage().startsWith("model pom.xml (revision main) is not in the Hugging Face cache"),
                e.getMessage());
        assertEquals(new ModelLocation.LocalPath(Path.of("src")), folder);
    }

    @Test
    void aMissingFileThatIsNoRepoIdIsNotFound() {
        for (String argument : List.of("no/such/folder", "missing.safetensors", "./missing")) {
            Gpt2Exception e = assertThrows(Gpt2Exception.class,
                    () -> resolver().resolve(argument, Optional.empty(), false));
            assertEquals(Gpt2Exception.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().startsWith("model " + argument + " does not exist: "), e.getMessage());
        }
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void anEmptyModelIsRefused() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> resolver().resolve(" ", Optional.empty(), false));

        assertEquals(Gpt2Exception.Kind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    void aRevisionThatIsNoSafePathIsRefused() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> resolver().resolve(REPO, Optional.of("../../etc"), false));

        assertEquals(Gpt2Exception.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(hub.requests().isEmpty());
    }

    private static long rangeStart(FakeHub.Request request) {
        String range = request.header("Range").orElseThrow(() -> new AssertionError("no Range header"));
        assertTrue(range.matches("bytes=\\d+-"), range);
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
