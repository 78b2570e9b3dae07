package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.api.spi.BackendStatus;
import dev.gpt2.api.spi.Probe;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class CudaProviderTest {
    private final CudaProvider provider = new CudaProvider();

    @Test
    void isFoundByServiceLoaderAsCudaWithPriority300() {
        assertEquals("cuda", provider.name());
        assertEquals(300, provider.priority());
        assertTrue(BackendRegistry.discover().stream().anyMatch(s -> s.name().equals("cuda")));
    }

    @Test
    void theProbeIsCachedAndEitherAvailableWithADeviceOrUnavailableWithAOneLineReason() {
        Probe probe = provider.probe();
        assertEquals(probe, provider.probe());
        if (probe.available()) {
            assertTrue(probe.device().contains("sm_"), probe.device());
            assertTrue(probe.capabilities().containsAll(CudaProvider.CAPABILITIES));
        } else {
            assertFalse(probe.reason().isBlank());
            assertFalse(probe.reason().contains("\n"), probe.reason());
            assertTrue(probe.reason().matches("^(no CUDA driver|no CUDA device|NVRTC not found|cuBLAS not found"
                    + "|the CUDA driver|CUDA could not be set up).*"), probe.reason());
        }
    }

    @Test
    void choosingCudaWhereItIsUnavailableFailsWithOneLineNamingTheReason() {
        Probe probe = provider.probe();
        assumeFalse(probe.available(), "a GPU is present: nothing to refuse");
        BackendStatus status = new BackendStatus("cuda", 300, probe, Optional.of(provider));
        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> BackendRegistry.select(Optional.of("cuda"), List.of(status)));
        assertEquals(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().startsWith("backend 'cuda' is unavailable: " + probe.reason()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        Gpt2Exception open = assertThrows(Gpt2Exception.class, () -> provider.open(new BackendConfig(0)));
        assertEquals("the cuda backend is unavailable: " + probe.reason(), open.getMessage());
    }
}
