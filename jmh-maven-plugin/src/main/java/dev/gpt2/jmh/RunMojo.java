package dev.gpt2.jmh;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Execute;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mvn -pl benchmarks jmh:run [-Djmh.args="JMH OPTIONS"] [-Djmh.quick=true]}: compiles the benchmarks, then runs
 * the suite's main with {@code run --out DIR [--quick] -- JMH OPTIONS} in a forked JVM.
 */
@Mojo(name = "run", requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
@Execute(phase = LifecyclePhase.PROCESS_CLASSES)
public final class RunMojo extends ForkedMainMojo {

    /** JMH's own options and benchmark patterns, as on JMH's command line ({@code -f 1 -wi 0 Gemm}). */
    @Parameter(property = "jmh.args", defaultValue = "")
    String args;

    /** Every benchmark once with small parameters: a smoke test, not figures. */
    @Parameter(property = "jmh.quick", defaultValue = "false")
    boolean quick;

    /** Where the results and the report go. */
    @Parameter(defaultValue = "${project.build.directory}")
    File outputDirectory;

    /** Public for Maven, which creates mojos reflectively. */
    public RunMojo() {
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        List<String> a = new ArrayList<>(List.of("run", "--out", outputDirectory.getAbsolutePath()));
        if (quick) {
            a.add("--quick");
        }
        a.add("--");
        try {
            a.addAll(Arguments.split(args == null ? "" : args));
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("-Djmh.args: " + e.getMessage());
        }
        launch(a);
    }
}
