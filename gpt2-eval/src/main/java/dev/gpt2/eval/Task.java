package dev.gpt2.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The paper's zero-shot evaluations, each with the data file it reads and where the paper reports it. */
public enum Task {
    WIKITEXT2("wikitext2", "WikiText-2 test set: perplexity per word",
            "wiki.test.tokens from wikitext-2-v1", "Table 3"),
    WIKITEXT103("wikitext103", "WikiText-103 test set: perplexity per word",
            "wiki.test.tokens from wikitext-103-v1", "Table 3"),
    PTB("ptb", "Penn Treebank test set (Mikolov's): perplexity per word", "ptb.test.txt", "Table 3"),
    ONE_BILLION_WORD("1bw", "One Billion Word Benchmark held-out set: perplexity per word",
            "news.en.heldout-00000-of-00050", "Table 3"),
    ENWIK8("enwik8", "enwik8, its last 5M bytes: bits per byte", "enwik8 (the raw 100,000,000-byte file)", "Table 3"),
    TEXT8("text8", "text8, its last 5M characters: bits per character", "text8 (the raw 100,000,000-byte file)",
            "Table 3"),
    LAMBADA("lambada", "LAMBADA final-word accuracy (3 variants) and perplexity (2 variants)",
            "lambada_test.jsonl (lambada_openai: {\"text\": ...} per line)", "Table 3, section 3.3"),
    CBT_CN("cbt-cn", "Children's Book Test, common nouns: accuracy",
            "cbtest_CN_valid_2000ex.txt (the paper used the validation set)", "Table 3, section 3.2"),
    CBT_NE("cbt-ne", "Children's Book Test, named entities: accuracy",
            "cbtest_NE_valid_2000ex.txt (the paper used the validation set)", "Table 3, section 3.2"),
    WSC273("wsc273", "Winograd Schema Challenge, 273 schemas: accuracy, partial and full scoring",
            "WSCollection.xml", "section 3.4, Figure 3"),
    COQA("coqa", "CoQA development set: F1 of greedy answers", "coqa-dev-v1.0.json", "section 3.5"),
    CNN_DM("cnn-dm", "CNN/Daily Mail with the TL;DR: hint: ROUGE-1/2/L F1",
            "JSONL with \"article\" and \"highlights\" per line (e.g. the test split)", "Table 4"),
    CNN_DM_NO_HINT("cnn-dm-no-hint", "CNN/Daily Mail without the hint (ablation): ROUGE-1/2/L F1",
            "JSONL with \"article\" and \"highlights\" per line (e.g. the test split)", "Table 4"),
    WMT14_EN_FR("wmt14-en-fr", "WMT-14 English to French: corpus BLEU",
            "newstest2014 English then French plain text (--data EN --data FR)", "section 3.7"),
    WMT14_FR_EN("wmt14-fr-en", "WMT-14 French to English: corpus BLEU",
            "newstest2014 English then French plain text (--data EN --data FR)", "section 3.7"),
    NATURAL_QUESTIONS("nq", "Natural Questions (open): exact match, and of the most confident 1%",
            "NQ-open.dev.jsonl (nq_open: {\"question\", \"answer\": [...]} per line)", "section 3.8, Table 5");

    private final String id;
    private final String title;
    private final String data;
    private final String paperSource;

    Task(String id, String title, String data, String paperSource) {
        this.id = id;
        this.title = title;
        this.data = data;
        this.paperSource = paperSource;
    }

    /** The name on the command line: {@code wikitext2}, {@code cbt-cn}, ... */
    public String id() {
        return id;
    }

    /** What is measured. */
    public String title() {
        return title;
    }

    /** The data file(s) the task reads. */
    public String data() {
        return data;
    }

    /** How many data files the task reads: 2 (English, French) for WMT-14, else 1. */
    public int dataFiles() {
        return this == WMT14_EN_FR || this == WMT14_FR_EN ? 2 : 1;
    }

    /** Whether {@link EvalOptions#stride()} applies: the language-modelling tasks' sliding window. */
    public boolean readsStride() {
        return switch (this) {
            case WIKITEXT2, WIKITEXT103, PTB, ONE_BILLION_WORD, ENWIK8, TEXT8 -> true;
            default -> false;
        };
    }

    /** Whether {@link EvalOptions#shots()} applies: the example pairs of WMT-14 and Natural Questions. */
    public boolean readsShots() {
        return this == WMT14_EN_FR || this == WMT14_FR_EN || this == NATURAL_QUESTIONS;
    }

    /** Whether {@link EvalOptions#seed()} applies: the sampled summaries of CNN/Daily Mail. */
    public boolean readsSeed() {
        return this == CNN_DM || this == CNN_DM_NO_HINT;
    }

    /** Where the paper reports it. */
    public String paperSource() {
        return paperSource;
    }

    /**
     * The task named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and listing the tasks
     */
    public static Task parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (Task t : values()) {
            if (t.id.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task '" + name + "': use one of "
                + Arrays.stream(values()).map(Task::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
