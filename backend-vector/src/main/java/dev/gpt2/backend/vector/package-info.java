/**
 * The provider of the pure-Java backend, {@link dev.gpt2.backend.vector.VectorProvider} ("vector", priority 100).
 *
 * <p>System properties, read once when the kernels load:
 * <ul>
 *   <li>{@code -Dgpt2.vector.bits=64|128|256|512}: the vector width (at most the CPU's widest); unset, the widest
 *       ({@code FloatVector.SPECIES_PREFERRED}); a width the CPU lacks makes the backend unavailable, saying why;
 *   <li>{@code -Dgpt2.vector.bits=0}: the Vector API off, plain Java loops.
 * </ul>
 * The number of threads is {@code BackendConfig.threads} (0: one per processor). Results are bitwise the same for
 * any number of threads and any batch; they differ in the last bits between vector widths.
 *
 * <p>Weights are held as F32, F16, BF16 or Q8_0 ({@code LoadOptions.dtype}, {@code --dtype}): 16-bit checkpoints
 * stay 16-bit and are used in place, any checkpoint can be rounded to 16 bits or quantized to Q8_0 at load, and the
 * kernels convert each value to F32 just before they use it. Decode reads half (16-bit) or about a quarter (Q8_0) of
 * the bytes of F32 per token.
 */
package dev.gpt2.backend.vector;
