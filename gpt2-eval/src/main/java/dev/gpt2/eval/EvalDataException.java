package dev.gpt2.eval;

import dev.gpt2.api.Gpt2Exception;

import java.nio.file.Path;

/**
 * A data file that is missing, unreadable or not in the format its task reads. The message is one line that names the
 * file, the line (when known), what is wrong and what to do.
 */
public final class EvalDataException extends Gpt2Exception {
    private static final long serialVersionUID = 1L;

    private EvalDataException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** The file does not exist. */
    public static EvalDataException missing(Path file, String expected) {
        return new EvalDataException(Kind.NOT_FOUND,
                file + ": no such file; expected " + expected + " (see gpt2-eval/README.md for where to get it)", null);
    }

    /** Line {@code line} (from 1) of {@code file} is not what the task reads. */
    public static EvalDataException malformed(Path file, long line, String what) {
        return new EvalDataException(Kind.INVALID_ARGUMENT, file + ":" + line + ": " + what, null);
    }

    /** The file as a whole is not what the task reads. */
    public static EvalDataException malformed(Path file, String what) {
        return new EvalDataException(Kind.INVALID_ARGUMENT, file + ": " + what, null);
    }

    /** Reading failed for a reason outside the file's content. */
    public static EvalDataException io(Path file, Exception cause) {
        return new EvalDataException(Kind.IO, file + ": cannot read: " + cause.getMessage(), cause);
    }
}
