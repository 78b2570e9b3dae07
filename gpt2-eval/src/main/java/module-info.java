/**
 * The zero-shot evaluations of "Language Models are Unsupervised Multitask Learners" (Radford et al., 2019) against
 * any {@link dev.gpt2.api.LanguageModel}: language modelling (WikiText, PTB, One Billion Word, enwik8, text8),
 * LAMBADA, the Children's Book Test, Winograd, CoQA, CNN/Daily Mail, WMT-14 and Natural Questions. Start at
 * {@link dev.gpt2.eval.Task} and {@link dev.gpt2.eval.Evaluation}; the metrics are in {@code dev.gpt2.eval.metric}.
 */
module dev.gpt2.eval {
    requires transitive dev.gpt2.api;
    requires tools.jackson.jr.ob;
    requires java.xml;

    exports dev.gpt2.eval;
    exports dev.gpt2.eval.metric;
}
