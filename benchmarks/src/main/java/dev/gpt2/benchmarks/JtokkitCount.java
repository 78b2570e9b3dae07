package dev.gpt2.benchmarks;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints the GPT-2 token count of a file with jtokkit's R50K_BASE: the peer of {@code ./gpt2 encode --count --file F}
 * when the two are timed as whole processes, each in a fresh JVM.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.gpt2.benchmarks.JtokkitCount FILE</pre>
 */
public final class JtokkitCount {
    private JtokkitCount() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JtokkitCount FILE");
            System.exit(2);
        }
        String text = Files.readString(Path.of(args[0]));
        System.out.println(Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE)
                .countTokensOrdinary(text));
    }
}
