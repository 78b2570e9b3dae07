package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names from outside checked before they become paths or URLs. */
class RepoPathsTest {

    @Test
    void repoIdsAndShortNames() {
        assertEquals(Optional.of(new RepoId("openai-community/gpt2")), RepoId.parse("gpt2"));
        assertEquals(Optional.of(new RepoId("openai-community/gpt2-xl")), RepoId.parse("gpt2-xl"));
        assertEquals(Optional.of(new RepoId("distilbert/distilgpt2")), RepoId.parse("distilgpt2"));
        assertEquals(Optional.of(new RepoId("my-org/my_model.v2")), RepoId.parse("my-org/my_model.v2"));
        assertEquals(Optional.of(new RepoId("bert-base-uncased")), RepoId.parse("bert-base-uncased"));
        for (String bad : List.of("", "a/b/c", "/abs", "org/", "../x", "a--b/c", "a/b.git", "org/-x", "org/x-",
                "o rg/x", "org/x..y", "a".repeat(97))) {
            assertEquals(Optional.empty(), RepoId.parse(bad), bad);
        }
        assertEquals("models--openai-community--gpt2", new RepoId("openai-community/gpt2").folderName());
        assertEquals(List.of("models--openai-community--gpt2", "models--gpt2"),
                new RepoId("openai-community/gpt2").cacheFolders());
        assertEquals(List.of("models--org--x"), new RepoId("org/x").cacheFolders());
    }

    @Test
    void fileNamesThatWouldEscapeAreRefused() {
        Path base = Path.of("/cache/models--a--b/snapshots/0123");
        assertEquals(base.resolve("model-00001-of-00002.safetensors"),
                RepoPaths.inside(base, "model-00001-of-00002.safetensors", "test"));
        assertEquals(base.resolve("onnx/model.onnx"), RepoPaths.inside(base, "onnx/model.onnx", "test"));
        for (String bad : List.of("../x", "a/../../x", "/etc/passwd", "a//b", "", ".", "a/./b", "..\\x", "C:x",
                "a\u0000b", "a/")) {
            Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> RepoPaths.inside(base, bad, "the index"),
                    bad);
            assertEquals(Gpt2Exception.Kind.INVALID_MODEL, e.kind());
            assertTrue(e.getMessage().contains("from the index"), e.getMessage());
            assertFalse(e.getMessage().contains("\u0000"));
        }
    }

    @Test
    void revisionsAreBranchesTagsOrCommits() {
        for (String ok : List.of("main", "v1.0", "refs/pr/1", "607a30d783dfa663caf39e06633721c8d4cfcd7e")) {
            assertEquals(ok, RepoPaths.checkRevision(ok));
        }
        for (String bad : List.of("", "../main", "a/../b", ".hidden", "a b", "a\\b", "refs//x")) {
            Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> RepoPaths.checkRevision(bad), bad);
            assertEquals(Gpt2Exception.Kind.INVALID_ARGUMENT, e.kind());
        }
        assertTrue(RepoPaths.isCommitHash("607a30d783dfa663caf39e06633721c8d4cfcd7e"));
        assertFalse(RepoPaths.isCommitHash("607a30d"));
        assertFalse(RepoPaths.isCommitHash("main"));
    }

    @Test
    void serverHeadersAreCheckedBeforeTheyNameFiles() {
        String sha = "ecd251a9ceacbaf97e9146befcf6568a36c43b7a23e952fb04c826ab6f9d8ff1";
        assertEquals(sha, RepoPaths.checkEtag("\"" + sha + "\"", "u"));
        assertEquals("abc", RepoPaths.checkEtag("W/\"abc\"", "u"));
        assertTrue(RepoPaths.isSha256(sha));
        assertFalse(RepoPaths.isSha256("abc"));
        for (String bad : List.of("\"../../x\"", "\"a/b\"", "\"\"", "\".hidden\"")) {
            Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> RepoPaths.checkEtag(bad, "u"), bad);
            assertEquals(Gpt2Exception.Kind.IO, e.kind());
        }
        assertThrows(Gpt2Exception.class, () -> RepoPaths.checkEtag(null, "u"));
        assertThrows(Gpt2Exception.class, () -> RepoPaths.checkCommit("../../x", "u"));
        assertThrows(Gpt2Exception.class, () -> RepoPaths.checkCommit(null, "u"));
    }

    @Test
    void urlsEncodeWhatPythonsQuoteEncodes() {
        assertEquals("refs%2Fpr%2F1", RepoPaths.encodeSegment("refs/pr/1"));
        assertEquals("onnx/model%20v2.onnx", RepoPaths.encodePath("onnx/model v2.onnx"));
        assertEquals("caf%C3%A9.json", RepoPaths.encodePath("café.json"));
        assertEquals("a-b_c.d~e", RepoPaths.encodeSegment("a-b_c.d~e"));
    }
}
