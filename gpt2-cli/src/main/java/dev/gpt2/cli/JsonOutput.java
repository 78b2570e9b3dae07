package dev.gpt2.cli;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import java.io.StringWriter;
import java.util.Map;

/**
 * Writes a flat JSON object of a command's results on one line. Numbers that are not finite (a perplexity of
 * nothing scored, a limit not measured) become {@code null}.
 */
final class JsonOutput {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonOutput() {
    }

    static String object(Map<String, ?> fields) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            for (Map.Entry<String, ?> e : fields.entrySet()) {
                g.writeName(e.getKey());
                switch (e.getValue()) {
                    case null -> g.writeNull();
                    case Integer i -> g.writeNumber(i);
                    case Long l -> g.writeNumber(l);
                    case Double d when !Double.isFinite(d) -> g.writeNull();
                    case Double d -> g.writeNumber(d);
                    case Boolean b -> g.writeBoolean(b);
                    case double[] values -> {
                        g.writeStartArray();
                        for (double v : values) {
                            if (Double.isFinite(v)) {
                                g.writeNumber(v);
                            } else {
                                g.writeNull();
                            }
                        }
                        g.writeEndArray();
                    }
                    default -> g.writeString(e.getValue().toString());
                }
            }
            g.writeEndObject();
        }
        return out.toString();
    }
}
