package dev.gpt2.eval.data;

import dev.gpt2.eval.EvalDataException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Children's Book Test in its original format ({@code cbtest_CN_valid_2000ex.txt}, ...): each question is 20
 * numbered context sentences and a 21st line {@code "21 query with XXXXX<TAB>answer<TAB><TAB>c1|c2|...|c10"}, questions
 * separated by blank lines.
 */
public final class CbtReader {
    /** The blank in a CBT query. */
    public static final String BLANK = "XXXXX";
    private static final String EXPECTED = "a CBTest file (cbtest_CN_valid_2000ex.txt or cbtest_NE_valid_2000ex.txt): "
            + "numbered sentences, the 21st \"21 query<TAB>answer<TAB><TAB>c1|...|c10\"";

    private CbtReader() {
    }

    /**
     * One question.
     *
     * @param context    the 20 context sentences, tokenized as in the file, without their numbers
     * @param query      the 21st sentence with {@link #BLANK} in place of the answer
     * @param answer     the right candidate
     * @param candidates the candidates (10 in the released files), the answer among them
     * @param line       the line of the query in the file, from 1
     */
    public record Question(List<String> context, String query, String answer, List<String> candidates, long line) {
    }

    public static List<Question> read(Path file) {
        List<String> lines = TextFile.lines(file, EXPECTED);
        List<Question> out = new ArrayList<>();
        List<String> context = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                if (!context.isEmpty()) {
                    throw EvalDataException.malformed(file, i + 1,
                            "the question starting " + context.size() + " lines above has no query line; expected "
                                    + EXPECTED);
                }
                continue;
            }
            int space = line.indexOf(' ');
            String number = space < 0 ? line : line.substring(0, space);
            if (!number.chars().allMatch(Character::isDigit) || number.isEmpty()) {
                throw EvalDataException.malformed(file, i + 1,
                        "a line must start with its sentence number, found \"" + abbreviate(line) + "\"");
            }
            String body = space < 0 ? "" : line.substring(space + 1);
            if (!body.contains("\t") && !body.contains(BLANK)) {
                context.add(body);
                continue;
            }
            String[] parts = body.split("\t", -1);
            if (parts.length < 4 || !parts[0].contains(BLANK)) {
                throw EvalDataException.malformed(file, i + 1,
                        "a query line needs the query with XXXXX, the answer and the candidates separated by tabs");
            }
            List<String> candidates = new ArrayList<>();
            for (String c : parts[parts.length - 1].split("\\|")) {
                if (!c.isBlank()) {
                    candidates.add(c.strip());
                }
            }
            String answer = parts[1].strip();
            if (candidates.size() < 2 || !candidates.contains(answer)) {
                throw EvalDataException.malformed(file, i + 1,
                        "the answer \"" + answer + "\" must be one of at least two candidates, found " + candidates);
            }
            out.add(new Question(List.copyOf(context), parts[0].strip(), answer, List.copyOf(candidates), i + 1));
            context.clear();
        }
        if (!context.isEmpty()) {
            throw EvalDataException.malformed(file, lines.size(), "the file ends inside a question (no query line)");
        }
        if (out.isEmpty()) {
            throw EvalDataException.malformed(file, "has no questions; expected " + EXPECTED);
        }
        return out;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
