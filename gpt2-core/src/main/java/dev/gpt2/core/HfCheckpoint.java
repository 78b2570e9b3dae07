package dev.gpt2.core;

import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightView;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Opens a Hugging Face GPT-2: a folder with {@code config.json} and {@code model.safetensors} (or shards listed in
 * {@code model.safetensors.index.json}), or a bare {@code .safetensors} file with a {@code config.json} beside it.
 *
 * <p>Tensor names may carry the {@code transformer.} prefix. The causal-mask buffers {@code h.N.attn.bias} and
 * {@code h.N.attn.masked_bias} are ignored, and so is {@code lm_head.weight} once it is checked to equal
 * {@code wte.weight} (GPT-2 ties them). Other unknown tensors are ignored with a warning.
 */
final class HfCheckpoint {
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private static final System.Logger LOG = System.getLogger(HfCheckpoint.class.getName());
    private static final String PREFIX = "transformer.";
    private static final Pattern MASK_BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");
    private static final String LM_HEAD = "lm_head.weight";

    private HfCheckpoint() {
    }

    /** Opens a folder or a {@code .safetensors} file that exists. */
    static Checkpoint open(Path path) {
        boolean folder = Files.isDirectory(path);
        Path dir = folder ? path : path.toAbsolutePath().getParent();
        Path config = dir.resolve(CONFIG);
        List<Path> files;
        String source;
        Map<String, String> weightMap = Map.of();
        if (folder) {
            if (isEmpty(path)) {
                throw Errors.invalidModel("folder " + path + " is empty: a Hugging Face GPT-2 folder holds "
                        + CONFIG + " and " + WEIGHTS);
            }
            if (!Files.isRegularFile(config)) {
                throw Errors.invalidModel("folder " + path + " has no " + CONFIG
                        + ": the model's shape comes from the Hugging Face config next to the weights");
            }
            if (Files.isRegularFile(path.resolve(WEIGHTS))) {
                files = List.of(path.resolve(WEIGHTS));
                source = files.getFirst().toString();
            } else if (Files.isRegularFile(path.resolve(INDEX))) {
                weightMap = readIndex(path.resolve(INDEX));
                files = shards(path, weightMap);
                source = "the shards of " + path.resolve(INDEX);
            } else {
                throw Errors.invalidModel("folder " + path + " has no " + WEIGHTS + " and no " + INDEX
                        + " (the weights)" + (Files.exists(path.resolve("pytorch_model.bin"))
                        ? "; it has PyTorch's pytorch_model.bin, which this library does not read: convert it to"
                        + " safetensors" : ""));
            }
        } else {
            if (!Files.isRegularFile(config)) {
                throw Errors.invalidModel("no " + CONFIG + " beside " + path
                        + ": the model's shape comes from the Hugging Face config next to the weights");
            }
            files = List.of(path);
            source = path.toString();
        }
        ModelConfig modelConfig = HfConfig.read(config);
        Arena arena = Arena.ofShared();
        try {
            Map<String, SafetensorsFile.Entry> tensors = tensors(files, weightMap, arena);
            SafetensorsFile.Entry lmHead = tensors.remove(LM_HEAD);
            Map<String, WeightView> weights = TensorLayout.check(modelConfig, tensors, source);
            if (lmHead != null) {
                checkTied(lmHead, weights.get("wte.weight"));
            }
            warnAboutUnknown(tensors, weights.keySet(), source);
            Optional<Path> tokenizer = Files.isRegularFile(dir.resolve("vocab.json"))
                    && Files.isRegularFile(dir.resolve("merges.txt")) ? Optional.of(dir) : Optional.empty();
            return new Checkpoint(path.toString(), modelConfig, weights, weights.get("wte.weight").dtype(), tokenizer,
                    arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static boolean isEmpty(Path folder) {
        try (Stream<Path> list = Files.list(folder)) {
            return list.findAny().isEmpty();
        } catch (IOException e) {
            throw Errors.io(folder, e);
        }
    }

    /** The index's weight map: tensor name to shard file name. */
    private static Map<String, String> readIndex(Path index) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(index);
        } catch (IOException e) {
            throw Errors.io(index, e);
        }
        Object map = Json.parseObject(bytes, index.toString()).get("weight_map");
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Json.object(map, index + ": \"weight_map\"").entrySet()) {
            if (!(e.getValue() instanceof String file)) {
                throw Errors.invalidModel(index + ": the shard of " + e.getKey() + " must be a file name, found "
                        + Json.describe(e.getValue()));
            }
            weightMap.put(e.getKey(), file);
        }
        if (weightMap.isEmpty()) {
            throw Errors.invalidModel(index + " lists no tensors in \"weight_map\"");
        }
        return weightMap;
    }

    private static List<Path> shards(Path folder, Map<String, String> weightMap) {
        List<Path> files = new ArrayList<>();
        for (String name : new LinkedHashSet<>(weightMap.values())) {
            Path shard = folder.resolve(name).normalize();
            if (!shard.startsWith(folder.normalize()) || !Files.isRegularFile(shard)) {
                throw Errors.invalidModel(folder.resolve(INDEX) + " lists the shard " + name
                        + ", which is not a file in " + folder);
            }
            files.add(shard);
        }
        return files;
    }

    /** Every tensor of {@code files} by name without prefix, mask buffers left out. */
    private static Map<String, SafetensorsFile.Entry> tensors(List<Path> files, Map<String, String> weightMap,
                                                              Arena arena) {
        Map<String, SafetensorsFile.Entry> byName = new LinkedHashMap<>();
        Map<String, Path> fileOf = new HashMap<>();
        for (Path file : files) {
            for (SafetensorsFile.Entry entry : SafetensorsFile.read(file, arena)) {
                fileOf.put(entry.name(), file);
                String name = entry.name().startsWith(PREFIX) ? entry.name().substring(PREFIX.length())
                        : entry.name();
                if (MASK_BUFFER.matcher(name).matches()) {
                    continue;
                }
                SafetensorsFile.Entry before = byName.put(name, entry);
                if (before != null) {
                    throw Errors.invalidModel("tensor " + name + " appears twice: as " + before.name() + " in "
                            + before.file() + " and as " + entry.name() + " in " + file);
                }
            }
        }
        for (Map.Entry<String, String> listed : weightMap.entrySet()) {
            Path file = fileOf.get(listed.getKey());
            if (file == null || !file.getFileName().toString().equals(listed.getValue())) {
                throw Errors.invalidModel(INDEX + " puts tensor " + listed.getKey() + " in " + listed.getValue()
                        + ", but " + (file == null ? "no shard holds it" : "it is in " + file.getFileName()));
            }
        }
        return byName;
    }

    /** GPT-2 ties the LM head to the token embedding: a separate, different head is not a GPT-2. */
    private static void checkTied(SafetensorsFile.Entry lmHead, WeightView wte) {
        String where = "tensor " + lmHead.name() + " in " + lmHead.file();
        if (lmHead.shape().length != 2 || lmHead.shape()[0] != wte.rows() || lmHead.shape()[1] != wte.cols()) {
            throw Errors.invalidModel(where + " has shape " + lmHead.shapeText() + ", not wte's [" + wte.rows() + ", "
                    + wte.cols() + "]: GPT-2 ties the LM head to wte, and this one is different");
        }
        boolean same = lmHead.weightType().isPresent() && (lmHead.weightType().get() == wte.dtype()
                ? MemorySegment.mismatch(lmHead.data(), 0, lmHead.data().byteSize(), wte.data(), 0,
                wte.data().byteSize()) < 0
                : sameValues(lmHead, wte));
        if (!same) {
            throw Errors.invalidModel(where + " differs from wte.weight: GPT-2 ties the LM head to the token"
                    + " embedding, so this checkpoint is not a GPT-2 this library can run");
        }
    }

    private static boolean sameValues(SafetensorsFile.Entry lmHead, WeightView wte) {
        long n = (long) wte.rows() * wte.cols();
        for (long i = 0; i < n; i++) {
            if (WeightFormats.get(lmHead.data(), lmHead.weightType().orElseThrow(), i)
                    != WeightFormats.get(wte.data(), wte.dtype(), i)) {
                return false;
            }
        }
        return true;
    }

    private static void warnAboutUnknown(Map<String, SafetensorsFile.Entry> tensors, Set<String> used,
                                         String source) {
        Set<String> unknown = new TreeSet<>(tensors.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "ignoring " + unknown.size() + " tensors of " + source
                    + " that GPT-2 does not use: " + unknown);
        }
    }
}
