package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The shard files that {@code model.safetensors.index.json} names: the distinct values of its {@code weight_map}
 * (tensor name to file name), in order of first appearance, each checked to stay inside the snapshot folder.
 */
final class ShardIndex {
    /** The index file of a sharded checkpoint. */
    static final String FILE = "model.safetensors.index.json";

    private static final JsonFactory JSON = new JsonFactory();

    private ShardIndex() {
    }

    static List<String> shardFiles(Path index, String source) {
        Set<String> shards = new LinkedHashSet<>();
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), index)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(source, "it is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("weight_map") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                        if (parser.nextToken() != JsonToken.VALUE_STRING) {
                            throw invalid(source, "the weight_map entry of " + parser.currentName()
                                    + " is not a file name");
                        }
                        shards.add(RepoPaths.checkFileName(parser.getString(), source));
                    }
                } else {
                    parser.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw invalid(source, "it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (shards.isEmpty()) {
            throw invalid(source, "it has no weight_map naming the shard files");
        }
        return new ArrayList<>(shards);
    }

    private static Gpt2Exception invalid(String source, String why) {
        return new Gpt2Exception(Gpt2Exception.Kind.INVALID_MODEL, "cannot use " + source + ": " + why
                + "; the repo's sharded checkpoint is broken, ask its owner or use another revision");
    }
}
