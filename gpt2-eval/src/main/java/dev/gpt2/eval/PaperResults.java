package dev.gpt2.eval;

import dev.gpt2.api.ModelSize;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The numbers of Radford et al. (2019), "Language Models are Unsupervised Multitask Learners", for each released model
 * size (the paper's 117M, 345M, 762M, 1542M). NaN where the paper gives no number for that size.
 *
 * <pre>
 * task / metric               117M    345M    762M    1542M   source in the paper
 * wikitext2 ppl (per word)    29.41   22.76   19.93   18.34   Table 3
 * wikitext103 ppl (per word)  37.50   26.37   22.05   17.48   Table 3
 * ptb ppl (per word)          65.85   47.33   40.31   35.76   Table 3
 * 1bw ppl (per word)          75.20   55.72   44.575  42.16   Table 3
 * enwik8 bpb                  1.16    1.01    0.97    0.93    Table 3
 * text8 bpc                   1.17    1.06    1.02    0.98    Table 3
 * lambada ppl                 35.13   15.60   10.87   8.63    Table 3
 * lambada acc (stop words)    45.99   55.48   60.12   63.24   Table 3; 63.24 is "adding a stop-word filter", s3.3
 * lambada acc (no filter)     n/a     n/a     n/a     52.66   s3.3
 * cbt-cn acc (validation)     87.65   92.35   93.45   93.30   Table 3, s3.2
 * cbt-ne acc (validation)     83.4    87.1    88.0    89.05   Table 3, s3.2
 * wsc273 acc                  n/a     n/a     n/a     70.70   s3.4 (other sizes only in Figure 3)
 * coqa F1 (dev)               n/a     n/a     n/a     55      s3.5
 * cnn-dm ROUGE-1/2/L/avg      n/a     n/a     n/a     29.34 / 8.27 / 26.58 / 21.40   Table 4 "GPT-2 TL;DR:"
 * cnn-dm-no-hint ROUGE-1/2/L/avg  n/a n/a     n/a     21.58 / 4.03 / 19.47 / 15.03   Table 4 "GPT-2 no hint"
 * wmt14-en-fr BLEU            n/a     n/a     n/a     5       s3.7
 * wmt14-fr-en BLEU            n/a     n/a     n/a     11.5    s3.7
 * nq exact match              n/a     n/a     n/a     4.1     s3.8
 * nq acc of the top 1%        n/a     n/a     n/a     63.1    s3.8
 * </pre>
 */
public final class PaperResults {
    private static final double NA = Double.NaN;

    private static final Map<String, double[]> VALUES = Map.ofEntries(
            Map.entry("wikitext2/ppl", new double[] {29.41, 22.76, 19.93, 18.34}),
            Map.entry("wikitext103/ppl", new double[] {37.50, 26.37, 22.05, 17.48}),
            Map.entry("ptb/ppl", new double[] {65.85, 47.33, 40.31, 35.76}),
            Map.entry("1bw/ppl", new double[] {75.20, 55.72, 44.575, 42.16}),
            Map.entry("enwik8/bpb", new double[] {1.16, 1.01, 0.97, 0.93}),
            Map.entry("text8/bpc", new double[] {1.17, 1.06, 1.02, 0.98}),
            Map.entry("lambada/ppl_token", new double[] {35.13, 15.60, 10.87, 8.63}),
            Map.entry("lambada/ppl_doc", new double[] {35.13, 15.60, 10.87, 8.63}),
            Map.entry("lambada/acc_stopword_filter", new double[] {45.99, 55.48, 60.12, 63.24}),
            Map.entry("lambada/acc", new double[] {NA, NA, NA, 52.66}),
            Map.entry("cbt-cn/acc", new double[] {87.65, 92.35, 93.45, 93.30}),
            Map.entry("cbt-ne/acc", new double[] {83.4, 87.1, 88.0, 89.05}),
            Map.entry("wsc273/acc_partial", new double[] {NA, NA, NA, 70.70}),
            Map.entry("coqa/f1", new double[] {NA, NA, NA, 55}),
            Map.entry("cnn-dm/rouge1", new double[] {NA, NA, NA, 29.34}),
            Map.entry("cnn-dm/rouge2", new double[] {NA, NA, NA, 8.27}),
            Map.entry("cnn-dm/rougeL", new double[] {NA, NA, NA, 26.58}),
            Map.entry("cnn-dm/rouge_avg", new double[] {NA, NA, NA, 21.40}),
            Map.entry("cnn-dm-no-hint/rouge1", new double[] {NA, NA, NA, 21.58}),
            Map.entry("cnn-dm-no-hint/rouge2", new double[] {NA, NA, NA, 4.03}),
            Map.entry("cnn-dm-no-hint/rougeL", new double[] {NA, NA, NA, 19.47}),
            Map.entry("cnn-dm-no-hint/rouge_avg", new double[] {NA, NA, NA, 15.03}),
            Map.entry("wmt14-en-fr/bleu", new double[] {NA, NA, NA, 5}),
            Map.entry("wmt14-fr-en/bleu", new double[] {NA, NA, NA, 11.5}),
            Map.entry("nq/em", new double[] {NA, NA, NA, 4.1}),
            Map.entry("nq/acc_top1pct", new double[] {NA, NA, NA, 63.1}));

    private PaperResults() {
    }

    /** The paper's value of {@code metricKey} of {@code task} for {@code size}; empty where it reports none. */
    public static OptionalDouble value(Task task, String metricKey, ModelSize size) {
        double[] row = VALUES.get(task.id() + "/" + metricKey);
        if (row == null || Double.isNaN(row[size.ordinal()])) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(row[size.ordinal()]);
    }
}
