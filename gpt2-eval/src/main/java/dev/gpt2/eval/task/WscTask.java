package dev.gpt2.eval.task;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.WscReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Winograd Schema Challenge, WSC273 (the first 273 schemas of the collection), as Trinh and Le (2018) score it
 * with a language model and the paper follows: the pronoun is replaced by each candidate, and
 * <ul>
 * <li>partial scoring ({@code acc_partial}, the paper's 70.70% for 1542M): the candidate whose sentence remainder
 *     after it is more probable wins;</li>
 * <li>full scoring ({@code acc_full}): the candidate whose whole sentence is more probable wins.</li>
 * </ul>
 * A candidate replacing a possessive pronoun gets {@code 's}; a leading article or pronoun of a candidate is lower-cased
 * unless it starts the sentence (as lm-evaluation-harness's wsc273 does).
 */
final class WscTask implements TaskRunner {
    static final int WSC273 = 273;
    private static final Set<String> POSSESSIVES = Set.of("my", "his", "her", "our", "their", "its");
    private static final Set<String> CAPITALIZED = Set.of("A", "An", "The", "She", "He", "It", "They", "My", "His",
            "Her", "Their");

    /** One candidate's sentence: {@code [<|endoftext|>] + prefix + remainder}. */
    record Filled(int[] ids, int remainderFrom) {
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        List<WscReader.Schema> all = WscReader.read(ctx.file());
        List<WscReader.Schema> schemas = all.subList(0, Math.min(WSC273, all.size()));
        if (all.size() < WSC273) {
            ctx.note("the file holds " + all.size() + " schemas, fewer than the 273 of WSC273");
        }
        Monitor monitor = ctx.monitor();
        monitor.start(schemas.size(), "schemas");
        int eot = ctx.endOfText();
        long[] counts = new long[3];   // done, partial correct, full correct
        monitor.forEachBatch(schemas, Math.max(1, ctx.options().batchSize() / 2), batch -> {
            List<Filled> filled = new ArrayList<>();
            List<int[]> sequences = new ArrayList<>();
            for (WscReader.Schema s : batch) {
                for (String option : s.options()) {
                    Filled f = fill(ctx.model(), eot, s, option);
                    filled.add(f);
                    sequences.add(f.ids());
                }
            }
            List<double[]> logProbs = Scoring.logProbs(ctx.model(), sequences);
            for (int i = 0; i < batch.size(); i++) {
                List<Double> partial = new ArrayList<>();
                List<Double> full = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    Filled f = filled.get(2 * i + k);
                    double[] lp = logProbs.get(2 * i + k);
                    partial.add(Scoring.sum(lp, f.remainderFrom(), f.ids().length));
                    full.add(Scoring.sum(lp, 1, f.ids().length));
                }
                int correct = batch.get(i).correct();
                counts[0]++;
                counts[1] += ChoiceTask.argmax(partial) == correct ? 1 : 0;
                counts[2] += ChoiceTask.argmax(full) == correct ? 1 : 0;
            }
            return true;
        });
        if (counts[0] == 0) {
            return List.of();
        }
        return List.of(
                MetricValue.of("acc_partial", "partial scoring: remainder after the candidate",
                        100.0 * counts[1] / counts[0], Unit.PERCENT),
                MetricValue.of("acc_full", "full scoring: whole sentence", 100.0 * counts[2] / counts[0],
                        Unit.PERCENT));
    }

    /** The sentence with the pronoun replaced by {@code option}, tokenized so that the remainder starts a token. */
    static Filled fill(LanguageModel model, int eot, WscReader.Schema s, String option) {
        String prefix = (s.before().isEmpty() ? "" : s.before() + " ") + candidate(s, option);
        String after = s.after();
        String remainder = after.isEmpty() || ".,;:!?'".indexOf(after.charAt(0)) >= 0 ? after : " " + after;
        int[] prefixIds = Scoring.concat(new int[] {eot}, model.encode(prefix));
        return new Filled(Scoring.concat(prefixIds, model.encode(remainder)), prefixIds.length);
    }

    /** The candidate as it reads in place of the pronoun. */
    static String candidate(WscReader.Schema s, String option) {
        String text = option;
        if (POSSESSIVES.contains(s.pronoun().toLowerCase(java.util.Locale.ROOT))) {
            text += "'s";
        }
        String first = text.split(" ", 2)[0];
        boolean startsSentence = s.before().isEmpty() || s.before().endsWith(".");
        if (!startsSentence && CAPITALIZED.contains(first)) {
            text = first.toLowerCase(java.util.Locale.ROOT) + text.substring(first.length());
        }
        return text;
    }
}
