/**
 * A complete CPU {@link dev.gpt2.api.spi.Backend} with a pluggable engine for the big products, exported only to
 * {@code dev.gpt2.backend.openblas}.
 *
 * <p>The public surface:
 * <ul>
 *   <li>{@link dev.gpt2.backend.vector.cpu.CpuBackend}: tensors and KV caches off-heap, embeddings, layer norm, fused
 *       attention, limits; {@code new CpuBackend(name, config, simd, engineFactory)};
 *   <li>{@link dev.gpt2.backend.vector.cpu.MatmulEngine}: the strategy for {@code matmul} and {@code logits}, and
 *       optionally a sequence's attention, made by a {@link dev.gpt2.backend.vector.cpu.MatmulEngine.Factory} from
 *       the backend's pool and kernels;
 *   <li>{@link dev.gpt2.backend.vector.cpu.VectorMatmul}: the pure-Java engine (batch-invariant), also usable inside
 *       another engine for the shapes it wins (decode);
 *   <li>{@link dev.gpt2.backend.vector.cpu.ComputePool}: the backend's one pool of threads; {@code run} for parallel
 *       loops, {@code exclusive} to hold it;
 *   <li>{@link dev.gpt2.backend.vector.cpu.CpuTensor}: a tensor's {@code MemorySegment}s, F32 activations and weights
 *       in F32, F16, BF16 or Q8_0 (its javadoc gives the layouts);
 *   <li>{@link dev.gpt2.backend.vector.cpu.CpuCache}: a sequence's keys and values, with the layout an engine's
 *       attention reads;
 *   <li>{@link dev.gpt2.backend.vector.cpu.Simd}: the kernels {@code -Dgpt2.vector.bits} selects, and their GELU for
 *       an engine's epilogue.
 * </ul>
 *
 * <p>The arithmetic of every kernel, and why it makes the backend batch-invariant, is written in the package-private
 * {@code Kernels}; {@code ScalarKernels} is its plain-Java form and {@code VectorKernels} the Vector API one.
 *
 * <p><b>A rule for Vector API code here.</b> C2 turns vector operations into instructions only where it inlines
 * them all into one compiled method. A helper that takes or returns a vector, once C2 has compiled it on its own
 * ("already compiled into a big method"), is no longer inlined and every vector crossing it is boxed: kernels slow
 * down tenfold and allocate gigabytes. So each vector loop lives whole in one method of modest size, helpers that
 * pass vectors are tiny, and the kernel benchmark in the tests prints bytes allocated per call to catch regressions.
 */
package dev.gpt2.backend.vector.cpu;
