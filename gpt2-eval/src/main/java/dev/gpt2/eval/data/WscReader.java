package dev.gpt2.eval.data;

import dev.gpt2.eval.EvalDataException;
import dev.gpt2.eval.text.PythonText;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Winograd Schema Challenge collection in its original XML ({@code WSCollection.xml} by Ernest Davis):
 * {@code <schema><text><txt1/><pron/><txt2/></text>...<answers><answer/><answer/></answers>
 * <correctAnswer>A</correctAnswer>...</schema>}. WSC273 is its first 273 schemas.
 */
public final class WscReader {
    private static final String EXPECTED = "WSCollection.xml (schemas with <txt1>, <pron>, <txt2>, two <answer> and "
            + "<correctAnswer>)";

    private WscReader() {
    }

    /**
     * One schema: the sentence is {@code before + " " + pronoun + " " + after}.
     *
     * @param before  the text before the pronoun, white space collapsed
     * @param pronoun the ambiguous pronoun
     * @param after   the text after the pronoun
     * @param options the two candidate referents
     * @param correct the index of the right option
     * @param line    the line of the schema in the file
     */
    public record Schema(String before, String pronoun, String after, List<String> options, int correct, long line) {
    }

    public static List<Schema> read(Path file) {
        TextFile.requireFile(file, EXPECTED);
        List<Schema> out = new ArrayList<>();
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        try (InputStream in = Files.newInputStream(file)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            long schemaLine = 0;
            String txt1 = null;
            String pron = null;
            String txt2 = null;
            String correct = null;
            List<String> answers = new ArrayList<>();
            boolean inText = false;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    switch (xml.getLocalName()) {
                        case "schema" -> {
                            schemaLine = xml.getLocation().getLineNumber();
                            txt1 = pron = txt2 = correct = null;
                            answers.clear();
                        }
                        case "text" -> inText = true;
                        case "txt1" -> txt1 = inText ? collapse(xml.getElementText()) : txt1;
                        case "pron" -> pron = inText ? collapse(xml.getElementText()) : pron;
                        case "txt2" -> txt2 = inText ? collapse(xml.getElementText()) : txt2;
                        case "answer" -> answers.add(collapse(xml.getElementText()));
                        case "correctAnswer" -> correct = collapse(xml.getElementText());
                        default -> { }
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (xml.getLocalName().equals("text")) {
                        inText = false;
                    } else if (xml.getLocalName().equals("schema")) {
                        out.add(schema(file, schemaLine, txt1, pron, txt2, answers, correct));
                    }
                }
            }
        } catch (XMLStreamException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNumber();
            String what = "not well-formed XML: " + e.getMessage().lines().reduce((a, b) -> b).orElse("")
                    + "; expected " + EXPECTED;
            throw line > 0 ? EvalDataException.malformed(file, line, what) : EvalDataException.malformed(file, what);
        } catch (IOException e) {
            throw EvalDataException.io(file, e);
        }
        if (out.isEmpty()) {
            throw EvalDataException.malformed(file, "has no <schema> elements; expected " + EXPECTED);
        }
        return out;
    }

    private static Schema schema(Path file, long line, String txt1, String pron, String txt2, List<String> answers,
                                 String correct) {
        if (txt1 == null || pron == null || pron.isEmpty() || txt2 == null) {
            throw EvalDataException.malformed(file, line, "the schema needs <txt1>, <pron> and <txt2> in <text>");
        }
        if (answers.size() != 2) {
            throw EvalDataException.malformed(file, line, "the schema needs two <answer>, found " + answers.size());
        }
        if (correct == null || correct.isEmpty() || (correct.charAt(0) != 'A' && correct.charAt(0) != 'B')) {
            throw EvalDataException.malformed(file, line,
                    "<correctAnswer> must start with A or B, found \"" + correct + "\"");
        }
        return new Schema(txt1, pron, txt2, List.copyOf(answers), correct.charAt(0) - 'A', line);
    }

    private static String collapse(String s) {
        return String.join(" ", PythonText.split(s));
    }
}
