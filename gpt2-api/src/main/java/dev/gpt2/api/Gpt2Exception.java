package dev.gpt2.api;

import java.util.Objects;

/**
 * The one exception type of this library's API for everything a call on a model can meet wrong or a file can hold
 * wrong: a missing or corrupt checkpoint, a backend that is not available, ids outside the vocabulary, a prompt longer
 * than the context.
 *
 * <p>Two kinds of programming error stay the plain Java ones: the option and request records
 * ({@link GenerationOptions}, {@link Sampling}, {@link ScoreOptions}, {@link LoadOptions}, {@link GenerationRequest})
 * reject a value outside its range in their constructors with {@link IllegalArgumentException} and a null with
 * {@link NullPointerException}, so the mistake shows where the record is made; and a model used after
 * {@code close()} throws {@link IllegalStateException}.
 *
 * <p>The message is one line that names what failed, the offending value and what to do, fit to show a user as is.
 * {@link #kind()} lets a program tell the cases apart.
 */
public class Gpt2Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for programs that react differently to each case. */
    public enum Kind {
        /** A path, file or model name that does not exist. */
        NOT_FOUND,
        /** A checkpoint, config or tokenizer file whose content is wrong: truncated, malformed or mismatched. */
        INVALID_MODEL,
        /** No backend fits: the chosen one is missing or unavailable. */
        BACKEND_UNAVAILABLE,
        /** An argument outside its range: ids outside the vocabulary, a bad option value. */
        INVALID_ARGUMENT,
        /** The sequence does not fit the model's context and no sliding context was asked for. */
        CONTEXT_OVERFLOW,
        /** Reading a file failed for a reason outside the file's content (permissions, I/O error). */
        IO,
        /** The computation failed inside a backend (for example out of device memory). */
        BACKEND_FAILURE
    }

    /** What went wrong. */
    private final Kind kind;

    /** An error of {@code kind} with its one-line message. */
    public Gpt2Exception(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind);
    }

    /** An error of {@code kind} with its one-line message and the exception behind it. */
    public Gpt2Exception(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind);
    }

    /**
     * A {@link Kind#BACKEND_FAILURE} for a model output that is not a number: {@code what} ("every logit is NaN")
     * followed by its likely causes.
     */
    public static Gpt2Exception notANumber(String what) {
        return new Gpt2Exception(Kind.BACKEND_FAILURE, what + " (NaN or infinite weights in the checkpoint, or an"
                + " overflow in the computation)");
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }
}
