package dev.gpt2.core;

import dev.gpt2.api.DType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One safetensors file, memory-mapped with FFM (any size: no 2 GB buffers, no copy of the weights): an 8-byte
 * little-endian header length N, N bytes of JSON header, then the data, each tensor a byte range of it.
 *
 * <p>Everything the header says is checked against the file before anything is used: the header length against the
 * file size, each tensor's byte range against the data, its byte count against its shape and dtype, and the ranges
 * against each other (no overlap).
 */
final class SafetensorsFile {
    /** A header larger than this is refused as corrupt (real ones are kilobytes to a few megabytes). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ValueLayout.OfLong U64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Element sizes of the safetensors dtypes, for checking byte counts of every tensor, used or not. */
    private static final Map<String, Integer> ELEMENT_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    private SafetensorsFile() {
    }

    /**
     * One tensor of the file.
     *
     * @param name  its name in the header
     * @param dtype the header's dtype string ({@code F32}, {@code BF16}, {@code I64}, ...)
     * @param shape its dimensions
     * @param data  its bytes, a slice of the mapping
     * @param file  the file it is in, for messages
     */
    record Entry(String name, String dtype, long[] shape, MemorySegment data, Path file) {
        /** The dtype as a weight type, if it is one GPT-2 weights may have (F32, F16, BF16). */
        Optional<DType> weightType() {
            return switch (dtype) {
                case "F32" -> Optional.of(DType.F32);
                case "F16" -> Optional.of(DType.F16);
                case "BF16" -> Optional.of(DType.BF16);
                default -> Optional.empty();
            };
        }

        String shapeText() {
            return Arrays.toString(shape);
        }
    }

    /**
     * Maps {@code file} into {@code arena} and reads its header.
     *
     * @throws dev.gpt2.api.Gpt2Exception naming the file (and tensor) when anything in it is wrong
     */
    static List<Entry> read(Path file, Arena arena) {
        MemorySegment all = map(file, arena);
        long size = all.byteSize();
        if (size == 0) {
            throw Errors.invalidModel(file + " is empty (0 bytes): not a safetensors file");
        }
        if (size < 8) {
            throw Errors.invalidModel(file + " is truncated: " + size
                    + " bytes, less than the 8-byte header length a safetensors file starts with");
        }
        long headerBytes = all.get(U64_LE, 0);
        if (headerBytes < 0 || headerBytes > size - 8) {
            throw Errors.invalidModel(file + ": the header length " + Long.toUnsignedString(headerBytes)
                    + " passes the end of the file (" + size + " bytes): it is truncated or not a safetensors file");
        }
        if (headerBytes > MAX_HEADER_BYTES) {
            throw Errors.invalidModel(file + ": the header length " + headerBytes + " is over "
                    + MAX_HEADER_BYTES + " bytes: not a safetensors file of a GPT-2");
        }
        byte[] header = all.asSlice(8, headerBytes).toArray(ValueLayout.JAVA_BYTE);
        Map<String, Object> json = Json.parseObject(header, "the header of " + file);
        MemorySegment data = all.asSlice(8 + headerBytes);
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (!e.getKey().equals("__metadata__")) {
                entries.add(entry(file, e.getKey(), e.getValue(), data));
            }
        }
        checkNoOverlap(file, entries, data);
        return entries;
    }

    private static MemorySegment map(Path file, Arena arena) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            return size == 0 ? MemorySegment.NULL : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw Errors.io(file, e);
        }
    }

    private static Entry entry(Path file, String name, Object value, MemorySegment data) {
        String where = "tensor " + name + " in " + file;
        Map<String, Object> fields = Json.object(value, where);
        if (!(fields.get("dtype") instanceof String dtype)) {
            throw Errors.invalidModel(where + ": \"dtype\" must be a string, found " + Json.describe(fields.get("dtype")));
        }
        Integer elementBytes = ELEMENT_BYTES.get(dtype);
        if (elementBytes == null) {
            throw Errors.invalidModel(where + " has the unknown dtype \"" + dtype
                    + "\"; GPT-2 weights are F32, F16 or BF16");
        }
        long[] shape = longs(fields.get("shape"), where, "shape", -1);
        long[] offsets = longs(fields.get("data_offsets"), where, "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > data.byteSize()) {
            throw Errors.invalidModel(where + ": data_offsets [" + begin + ", " + end + "] lie outside the data ("
                    + data.byteSize() + " bytes): the file is truncated or corrupt");
        }
        long elements = 1;
        for (long d : shape) {
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException overflow) {
                throw Errors.invalidModel(where + ": shape " + Arrays.toString(shape) + " is too large");
            }
        }
        long needed;
        try {
            needed = Math.multiplyExact(elements, elementBytes);
        } catch (ArithmeticException overflow) {
            throw Errors.invalidModel(where + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (needed != end - begin) {
            throw Errors.invalidModel(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + needed + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, dtype, shape, data.asSlice(begin, end - begin), file);
    }

    /** Reads an array of non-negative integers ({@code length} of them, or any number when -1). */
    private static long[] longs(Object value, String where, String field, int length) {
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw Errors.invalidModel(where + ": \"" + field + "\" must be an array of "
                    + (length >= 0 ? length + " " : "") + "non-negative integers, found " + Json.describe(value));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n) || !(n instanceof Integer || n instanceof Long)
                    || n.longValue() < 0) {
                throw Errors.invalidModel(where + ": \"" + field + "\" must hold non-negative integers, found "
                        + list);
            }
            out[i] = n.longValue();
        }
        return out;
    }

    private static void checkNoOverlap(Path file, List<Entry> entries, MemorySegment data) {
        List<Entry> sorted = entries.stream()
                .filter(e -> e.data().byteSize() > 0)
                .sorted(Comparator.comparingLong(e -> e.data().address()))
                .collect(Collectors.toList());
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.data().address() < a.data().address() + a.data().byteSize()) {
                throw Errors.invalidModel(file + ": tensors " + a.name() + " " + range(a, data) + " and " + b.name()
                        + " " + range(b, data) + " overlap: the header is corrupt");
            }
        }
    }

    private static String range(Entry e, MemorySegment data) {
        long begin = e.data().address() - data.address();
        return "[" + begin + ", " + (begin + e.data().byteSize()) + ")";
    }
}
