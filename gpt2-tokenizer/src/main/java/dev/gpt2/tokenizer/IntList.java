package dev.gpt2.tokenizer;

import java.util.Arrays;

/**
 * A growable list of primitive ints: the output buffer of the encoder (no boxing); or, made by {@link #counter()},
 * a list that only counts what is added. Not thread-safe.
 */
final class IntList {
    private int[] items;
    private int size;

    IntList(int capacity) {
        items = new int[Math.max(capacity, 8)];
    }

    private IntList() {
        items = null;
    }

    /** A list that keeps no items, only their number. */
    static IntList counter() {
        return new IntList();
    }

    void add(int value) {
        if (items == null) {
            size++;
            return;
        }
        if (size == items.length) {
            grow(size + 1);
        }
        items[size++] = value;
    }

    void addAll(int[] values, int from, int to) {
        int n = to - from;
        if (items == null) {
            size += n;
            return;
        }
        if (size + n > items.length) {
            grow(size + n);
        }
        System.arraycopy(values, from, items, size, n);
        size += n;
    }

    int size() {
        return size;
    }

    int get(int index) {
        return items[index];
    }

    /** Drops everything from {@code newSize} on. */
    void truncate(int newSize) {
        size = newSize;
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }

    private void grow(int minCapacity) {
        items = Arrays.copyOf(items, Math.max(minCapacity, items.length + (items.length >> 1)));
    }
}
