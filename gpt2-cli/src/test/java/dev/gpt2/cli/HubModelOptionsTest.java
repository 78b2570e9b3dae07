package dev.gpt2.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --model names on the Hugging Face Hub, --revision and --offline reach the resolver of gpt2-hub (whose own tests
 * download from a fake Hub); here nothing touches the network.
 */
class HubModelOptionsTest {

    @Test
    void anUncachedHubModelOfflineIsAOneLineError() {
        Cli r = Cli.run("score", "--model", "test-org/never-cached-7f3e9a", "--revision", "v2", "--offline",
                "--ids", "1 2");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("gpt2 score: model test-org/never-cached-7f3e9a (revision v2) is not in the"
                + " Hugging Face cache at "), r.err());
        assertTrue(r.err().contains("offline mode is on (--offline)"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void aBadRevisionIsRefused() {
        Cli r = Cli.run("info", "--model", "gpt2", "--revision", "../../etc", "--offline");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().startsWith("gpt2 info: not a revision: '../../etc'"), r.err());
    }

    @Test
    void localModelsAreLoadedAsBefore() {
        Cli r = Cli.run("score", "--model", Cli.model("tiny-a").toString(), "--revision", "ignored", "--offline",
                "--backend", "reference", "--ids", "167 483", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(6.8194032337170185, r.number("nll_sum"), 1e-4);
    }
}
