package dev.gpt2.benchmarks.report;

/**
 * One measured figure: a cell of a report table and a bar of its chart.
 *
 * @param section the table
 * @param row     the case: the benchmark's parameters
 * @param series  the column: a backend or a tokenizer, after the machine when several share a table
 * @param value   the figure in the section's unit
 * @param limit   what stands beside it ("46% of 76.6"); empty when nothing does
 */
public record Figure(Section section, String row, String series, double value, String limit) {
}
