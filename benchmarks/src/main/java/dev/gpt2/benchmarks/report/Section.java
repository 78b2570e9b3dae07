package dev.gpt2.benchmarks.report;

/** A table of the report and a panel of its chart: what is measured, in which unit, against which limit. */
public enum Section {
    DECODE("Decode at batch 1", "tokens/s",
            "beside each figure, its fraction of the bound: read bandwidth / bytes read per token (weights as held,"
                    + " plus the KV cache)"),
    PREFILL("Prefill at batch 1", "tokens/s",
            "beside each figure, the GFLOP/s it makes and their fraction of the FP32 peak"),
    GEMM("Matmul, prefill rows", "GFLOP/s", "beside each figure, its fraction of the FP32 peak"),
    GEMV("Matmul, one row (decode)", "GB/s of weights read",
            "beside each figure, its fraction of the read bandwidth (small weights may sit in cache and pass it)"),
    ATTENTION_PREFILL("Attention, prefill, every layer", "GFLOP/s", "beside each figure, its fraction of the FP32 peak"),
    ATTENTION_DECODE("Attention, one position over the KV cache, every layer", "GB/s of cache read",
            "beside each figure, its fraction of the read bandwidth"),
    TOKENIZER("Tokenizer, single thread", "MB/s of UTF-8 text", "this project's tokenizer against jtokkit"),
    TOKENIZER_LOAD("Tokenizer, first use in a fresh JVM", "ms, lower is better",
            "this project's tokenizer against jtokkit"),
    OTHER("Other benchmarks", "as JMH reports", "");

    private final String title;
    private final String unit;
    private final String note;

    Section(String title, String unit, String note) {
        this.title = title;
        this.unit = unit;
        this.note = note;
    }

    public String title() {
        return title;
    }

    public String unit() {
        return unit;
    }

    /** What stands beside the figures. */
    public String note() {
        return note;
    }
}
