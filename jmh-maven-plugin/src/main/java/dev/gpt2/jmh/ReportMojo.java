package dev.gpt2.jmh;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Execute;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

import java.io.File;
import java.util.List;

/**
 * {@code mvn -pl benchmarks jmh:report [-Djmh.results=DIR]}: the cross-hardware report over every tagged run saved in
 * a folder, written into that folder; runs the suite's main with {@code report --results DIR}.
 */
@Mojo(name = "report", requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
@Execute(phase = LifecyclePhase.PROCESS_CLASSES)
public final class ReportMojo extends ForkedMainMojo {

    /** The folder of tagged runs ({@code jmh-run.json} files of several machines, renamed). */
    @Parameter(property = "jmh.results", defaultValue = "${project.basedir}/results")
    File results;

    /** Public for Maven, which creates mojos reflectively. */
    public ReportMojo() {
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        launch(List.of("report", "--results", results.getAbsolutePath()));
    }
}
