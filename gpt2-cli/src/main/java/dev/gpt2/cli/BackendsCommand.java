package dev.gpt2.cli;

import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.api.spi.BackendStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/** {@code gpt2 backends}: every discovered backend, available or not, with the reason. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List every compute backend found on the module path, available or not, with the reason.")
final class BackendsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        List<BackendStatus> found = BackendRegistry.discover();
        if (found.isEmpty()) {
            out.println("no backend found: put a backend jar (backend-vector) on the module path");
            out.flush();
            return;
        }
        Optional<BackendStatus> chosen = found.stream().filter(BackendStatus::available).findFirst();
        for (BackendStatus s : found) {
            String mark = chosen.isPresent() && chosen.get() == s ? "*" : " ";
            out.printf("%s %-10s priority %5s  %s%n", mark, s.name(),
                    s.priority() == Integer.MIN_VALUE ? "-" : Integer.toString(s.priority()),
                    s.available() ? "available    " + s.probe().device() + "  " + s.probe().weightTypes()
                            : "unavailable  " + s.probe().reason());
        }
        out.println("* = used when no backend is named (--backend, -D" + BackendRegistry.PROPERTY + ", "
                + BackendRegistry.ENV + ")");
        out.flush();
    }
}
