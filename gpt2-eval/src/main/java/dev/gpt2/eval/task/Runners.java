package dev.gpt2.eval.task;

import dev.gpt2.eval.Task;

/** The runner of each task. */
public final class Runners {
    private Runners() {
    }

    public static TaskRunner of(Task task) {
        return switch (task) {
            case WIKITEXT2, WIKITEXT103 -> new LanguageModelingTask(LanguageModelingTask.Corpus.WIKITEXT);
            case PTB -> new LanguageModelingTask(LanguageModelingTask.Corpus.PTB);
            case ONE_BILLION_WORD -> new LanguageModelingTask(LanguageModelingTask.Corpus.ONE_BILLION_WORD);
            case ENWIK8 -> new LanguageModelingTask(LanguageModelingTask.Corpus.ENWIK8);
            case TEXT8 -> new LanguageModelingTask(LanguageModelingTask.Corpus.TEXT8);
            case LAMBADA -> new LambadaTask();
            case CBT_CN, CBT_NE -> new CbtTask();
            case WSC273 -> new WscTask();
            case COQA -> new CoqaTask();
            case CNN_DM -> new SummarizationTask(true);
            case CNN_DM_NO_HINT -> new SummarizationTask(false);
            case WMT14_EN_FR -> new TranslationTask(true);
            case WMT14_FR_EN -> new TranslationTask(false);
            case NATURAL_QUESTIONS -> new QuestionAnsweringTask();
        };
    }
}
