package dev.gpt2.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment variables read as huggingface_hub's constants.py reads them. */
class HubSettingsTest {
    @TempDir
    Path home;

    private HubSettings settings(Map<String, String> env) {
        return HubSettings.fromEnvironment(env, home);
    }

    @Test
    void defaultsAreThePublicHubAndTheUsersCache() {
        HubSettings settings = settings(Map.of());

        assertEquals(URI.create("https://huggingface.co"), settings.endpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), settings.cacheDir());
        assertEquals(Optional.empty(), settings.token());
        assertFalse(settings.offline());
        assertEquals(Duration.ofSeconds(10), settings.metadataTimeout());
        assertEquals(Duration.ofSeconds(10), settings.downloadTimeout());
    }

    @Test
    void theCacheFolderFollowsHuggingfaceHubsPrecedence() {
        assertEquals(Path.of("/xdg/huggingface/hub"), settings(Map.of("XDG_CACHE_HOME", "/xdg")).cacheDir());
        assertEquals(Path.of("/hf/hub"), settings(Map.of("XDG_CACHE_HOME", "/xdg", "HF_HOME", "/hf")).cacheDir());
        assertEquals(Path.of("/legacy"), settings(Map.of("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy"))
                .cacheDir());
        assertEquals(Path.of("/new"), settings(Map.of("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy",
                "HF_HUB_CACHE", "/new")).cacheDir());
        assertEquals(home.resolve("models/hub"), settings(Map.of("HF_HOME", "~/models")).cacheDir());
        assertEquals(Path.of("/scratch/me/hub"), settings(Map.of("SCRATCH", "/scratch/me",
                "HF_HUB_CACHE", "${SCRATCH}/hub")).cacheDir());
    }

    @Test
    void offlineTakesTheValuesPythonTakes() {
        for (String yes : new String[] {"1", "ON", "yes", "True"}) {
            assertTrue(settings(Map.of("HF_HUB_OFFLINE", yes)).offline(), yes);
        }
        for (String no : new String[] {"0", "off", "", "false", "2"}) {
            assertFalse(settings(Map.of("HF_HUB_OFFLINE", no)).offline(), no);
        }
        assertTrue(settings(Map.of("TRANSFORMERS_OFFLINE", "1")).offline());
    }

    @Test
    void theEndpointLosesItsTrailingSlashAndMustBeHttp() {
        assertEquals(URI.create("http://127.0.0.1:8080"), settings(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/"))
                .endpoint());
        assertEquals(URI.create("https://hf-mirror.com"), settings(Map.of("HF_ENDPOINT", "https://hf-mirror.com"))
                .endpoint());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("HF_ENDPOINT", "ftp://example.org")));
        assertTrue(e.getMessage().contains("ftp://example.org"), e.getMessage());
    }

    @Test
    void theTokenComesFromTheEnvironmentElseTheLoginFile() throws IOException {
        Path tokenFile = home.resolve(".cache/huggingface/token");
        Files.createDirectories(tokenFile.getParent());
        Files.writeString(tokenFile, "hf_from_file\n");
        Map<String, String> env = new HashMap<>();

        assertEquals("Bearer hf_from_file", settings(env).token().orElseThrow().authorization());
        env.put("HUGGING_FACE_HUB_TOKEN", "hf_legacy");
        assertEquals("Bearer hf_legacy", settings(env).token().orElseThrow().authorization());
        env.put("HF_TOKEN", " hf_new ");
        assertEquals("Bearer hf_new", settings(env).token().orElseThrow().authorization());
        assertFalse(settings(env).toString().contains("hf_new"), settings(env).toString());
        assertEquals("HubToken[redacted]", settings(env).token().orElseThrow().toString());
    }

    @Test
    void timeoutsAreWholeSeconds() {
        assertEquals(Duration.ofSeconds(30), settings(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "30")).downloadTimeout());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("HF_HUB_ETAG_TIMEOUT", "soon")));
        assertTrue(e.getMessage().startsWith("HF_HUB_ETAG_TIMEOUT must be"), e.getMessage());
    }
}
