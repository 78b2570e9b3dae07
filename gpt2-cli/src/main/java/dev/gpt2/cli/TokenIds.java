package dev.gpt2.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Token ids given on the command line: {@code "464 3290 318"} (spaces or commas between them).
 *
 * @param values the ids
 */
record TokenIds(int[] values) {

    /** Parses the option's value; a value that is not a list of whole numbers is a usage error. */
    static final class Converter implements ITypeConverter<TokenIds> {
        @Override
        public TokenIds convert(String value) {
            String trimmed = value.trim();
            if (trimmed.isEmpty()) {
                throw new TypeConversionException(
                        "no token ids: give ids separated by spaces or commas, e.g. \"464 3290\"");
            }
            String[] parts = trimmed.split("[\\s,]+");
            int[] ids = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    ids[i] = Integer.parseInt(parts[i]);
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + parts[i] + "' is not a token id: give whole numbers"
                            + " separated by spaces or commas, e.g. \"464 3290\"");
                }
            }
            return new TokenIds(ids);
        }
    }
}
