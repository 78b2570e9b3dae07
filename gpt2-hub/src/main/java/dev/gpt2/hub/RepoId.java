package dev.gpt2.hub;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model repository on the Hub: {@code org/name}, or a bare {@code name} for the Hub's oldest repos.
 *
 * <p>The names GPT-2 users type are aliases of the repos they moved to: {@code gpt2}, {@code gpt2-medium},
 * {@code gpt2-large}, {@code gpt2-xl} are {@code openai-community/...}, and {@code distilgpt2} is
 * {@code distilbert/distilgpt2}. A cache filled before the move keeps them under the old name, which
 * {@link #cacheFolders()} lists too.
 *
 * @param id the repo id as the Hub spells it
 */
public record RepoId(String id) {

    /** The short names and the repos they stand for. */
    public static final Map<String, String> ALIASES = Map.of(
            "gpt2", "openai-community/gpt2",
            "gpt2-medium", "openai-community/gpt2-medium",
            "gpt2-large", "openai-community/gpt2-large",
            "gpt2-xl", "openai-community/gpt2-xl",
            "distilgpt2", "distilbert/distilgpt2");

    /** One part of a repo id, as the Hub's own check allows it: word characters, '-' and '.', not at the ends. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    private static final int MAX_LENGTH = 96;

    public RepoId {
        if (!isValid(id)) {
            throw new IllegalArgumentException("not a Hub repo id: '" + id + "' (expected org/name, e.g. "
                    + "openai-community/gpt2)");
        }
    }

    /** The repo that a model argument names, with the short names mapped; empty if it cannot be a repo id. */
    public static Optional<RepoId> parse(String argument) {
        String id = ALIASES.getOrDefault(argument, argument);
        return isValid(id) ? Optional.of(new RepoId(id)) : Optional.empty();
    }

    /** The cache folder name, as huggingface_hub writes it: {@code models--org--name}. */
    public String folderName() {
        return folderName(id);
    }

    /**
     * The cache folders that may hold this repo, the current name first: for an aliased repo, also the folder of
     * its old bare name ({@code models--gpt2}).
     */
    public List<String> cacheFolders() {
        return ALIASES.entrySet().stream()
                .filter(alias -> alias.getValue().equals(id))
                .findFirst()
                .map(alias -> List.of(folderName(), folderName(alias.getKey())))
                .orElse(List.of(folderName()));
    }

    @Override
    public String toString() {
        return id;
    }

    private static String folderName(String id) {
        return "models--" + id.replace("/", "--");
    }

    private static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || id.contains("--") || id.contains("..")
                || id.endsWith(".git")) {
            return false;
        }
        String[] parts = id.split("/", -1);
        if (parts.length > 2) {
            return false;
        }
        for (String part : parts) {
            if (!PART.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }
}
