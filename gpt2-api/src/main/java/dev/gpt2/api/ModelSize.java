package dev.gpt2.api;

import java.util.Locale;

/** The four released GPT-2 sizes (named by parameter count, as in the model cards; the paper says 117M..1542M). */
public enum ModelSize {
    /** GPT-2 small, Hugging Face's {@code gpt2}: 12 layers of width 768, 12 heads. */
    GPT2_124M("124M", "117M", 12, 768, 12),
    /** GPT-2 medium, {@code gpt2-medium}: 24 layers of width 1024, 16 heads. */
    GPT2_355M("355M", "345M", 24, 1024, 16),
    /** GPT-2 large, {@code gpt2-large}: 36 layers of width 1280, 20 heads. */
    GPT2_774M("774M", "762M", 36, 1280, 20),
    /** GPT-2 XL, {@code gpt2-xl}: 48 layers of width 1600, 25 heads. */
    GPT2_1558M("1558M", "1542M", 48, 1600, 25);

    private final String label;
    private final String paperLabel;
    private final int nLayer;
    private final int nEmbd;
    private final int nHead;

    ModelSize(String label, String paperLabel, int nLayer, int nEmbd, int nHead) {
        this.label = label;
        this.paperLabel = paperLabel;
        this.nLayer = nLayer;
        this.nEmbd = nEmbd;
        this.nHead = nHead;
    }

    /** {@code 124M}, {@code 355M}, {@code 774M} or {@code 1558M}. */
    public String label() {
        return label;
    }

    /** The size as the paper's tables name it: 117M, 345M, 762M, 1542M. */
    public String paperLabel() {
        return paperLabel;
    }

    /** The released configuration of this size: context 1024, vocabulary 50257. */
    public ModelConfig config() {
        return new ModelConfig(nLayer, nEmbd, nHead, 1024, 50257, 4 * nEmbd, 1e-5f);
    }

    /** The released size whose shape {@code config} has, if any. */
    public static java.util.Optional<ModelSize> of(ModelConfig config) {
        for (ModelSize s : values()) {
            ModelConfig c = s.config();
            if (c.nLayer() == config.nLayer() && c.nEmbd() == config.nEmbd() && c.nHead() == config.nHead()) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Parses {@code 124M}, {@code 355M}, {@code 774M}, {@code 1558M} (case-insensitive; the paper's 117M, 345M, 762M
     * and 1542M too).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static ModelSize parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (ModelSize s : values()) {
            if (s.label.equals(t) || s.paperLabel.equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown GPT-2 size '" + text + "': use one of 124M, 355M, 774M, 1558M");
    }
}
