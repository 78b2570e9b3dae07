package dev.gpt2.api.spi;

import dev.gpt2.api.Gpt2Exception;

import java.util.Arrays;

/**
 * The reference token choice on host memory: greedy, temperature, top-k, top-p. Every backend's
 * {@link Backend#chooseTokens} must pick what this picks, so that a seed means the same tokens everywhere.
 */
public final class HostSampler {
    private HostSampler() {
    }

    /** The index of the largest logit; the lowest index on a tie; NaN never wins. */
    public static int argmax(float[] logits) {
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            float x = logits[i];
            if (x > max || (best < 0 && x == max)) {
                max = x;
                best = i;
            }
        }
        if (best < 0) {
            throw everyLogitNaN();
        }
        return best;
    }

    /**
     * Chooses a token as {@code choice} says.
     *
     * <p>Sampling: logits divided by the temperature; the {@code topK} largest kept (0 keeps all; ties broken by the
     * lower id); softmax in double over what is kept; then, in order of decreasing probability (lower id first on a
     * tie), the shortest prefix whose probability reaches {@code topP}; the token is the first of that prefix whose
     * cumulative probability, renormalised, exceeds {@code uniform}.
     */
    public static int choose(float[] logits, TokenChoice choice) {
        if (choice.greedy()) {
            return argmax(logits);
        }
        int n = logits.length;
        // order: indices sorted by logit descending, ties by lower id; the key packs a sortable float and the index
        long[] keys = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            float x = logits[i];
            if (!Float.isNaN(x)) {
                int bits = Float.floatToRawIntBits(x);
                int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff;   // ascending order of the float value
                keys[m++] = ((long) ~sortable << 32) | i;              // descending value, then ascending index
            }
        }
        if (m == 0) {
            throw everyLogitNaN();
        }
        int kept = choice.topK() > 0 ? Math.min(choice.topK(), m) : m;
        if (kept < m) {
            keys = partialSort(keys, m, kept);
        } else {
            keys = Arrays.copyOf(keys, m);
            Arrays.sort(keys);
        }
        double[] p = new double[kept];
        double sum = 0;
        for (int j = 0; j < kept; j++) {
            double e = weight(logits[(int) keys[j]], logits[(int) keys[0]], choice.temperature());
            p[j] = e;
            sum += e;
        }
        int cut = kept;
        if (choice.topP() < 1) {
            double cum = 0;
            for (int j = 0; j < kept; j++) {
                cum += p[j] / sum;
                if (cum >= choice.topP()) {
                    cut = j + 1;
                    break;
                }
            }
        }
        double total = 0;
        for (int j = 0; j < cut; j++) {
            total += p[j];
        }
        double target = choice.uniform() * total;
        double cum = 0;
        for (int j = 0; j < cut; j++) {
            cum += p[j];
            if (cum > target) {
                return (int) keys[j];
            }
        }
        return (int) keys[cut - 1];
    }

    /**
     * exp((x - max) / T), the unnormalised probability of logit x beside the largest one: the difference is taken
     * before the division, so that a tiny temperature (1e-308) cannot overflow 1 / T and give NaN weights, and the
     * largest logits weigh 1 even when they are infinite (all the mass is then theirs).
     */
    private static double weight(float x, float max, double temperature) {
        return x == max ? 1 : Math.exp(((double) x - max) / temperature);
    }

    /** The {@code k} smallest keys of {@code keys[0, m)}, sorted. */
    private static long[] partialSort(long[] keys, int m, int k) {
        if (k * 8L >= m) {
            long[] all = Arrays.copyOf(keys, m);
            Arrays.sort(all);
            return Arrays.copyOf(all, k);
        }
        // a max-heap of the k smallest seen so far
        long[] heap = Arrays.copyOf(keys, k);
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, k);
        }
        for (int i = k; i < m; i++) {
            if (keys[i] < heap[0]) {
                heap[0] = keys[i];
                siftDown(heap, 0, k);
            }
        }
        Arrays.sort(heap);
        return heap;
    }

    private static void siftDown(long[] heap, int i, int size) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int c = l + 1 < size && heap[l + 1] > heap[l] ? l + 1 : l;
            if (heap[c] <= heap[i]) {
                return;
            }
            long t = heap[c];
            heap[c] = heap[i];
            heap[i] = t;
            i = c;
        }
    }

    /** {@code ln softmax(logits)[target]}, accumulated in double. */
    public static double logSoftmaxAt(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x - max);
        }
        return logits[target] - max - Math.log(sum);
    }

    /** The error of a token choice whose logits are all NaN (here or on a device). */
    public static Gpt2Exception everyLogitNaN() {
        return Gpt2Exception.notANumber("every logit is NaN: the model's output is not a number");
    }
}
