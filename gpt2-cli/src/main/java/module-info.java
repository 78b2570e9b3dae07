/** The {@code gpt2} command line. Run it with {@code ./gpt2} at the repository root. */
module dev.gpt2.cli {
    requires dev.gpt2.core;
    requires dev.gpt2.hub;
    requires dev.gpt2.tokenizer;
    requires dev.gpt2.eval;
    requires info.picocli;
    requires tools.jackson.core;

    opens dev.gpt2.cli to info.picocli;
}
