package dev.gpt2.eval.task;

import dev.gpt2.eval.data.WscReader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WscTaskTest {

    @Test
    void readsTheOriginalXml() {
        List<WscReader.Schema> schemas = WscReader.read(SampleData.path("WSCollection-sample.xml"));
        assertEquals(2, schemas.size());
        WscReader.Schema s = schemas.get(1);
        assertEquals("The trophy does not fit in the suitcase because", s.before());
        assertEquals("it", s.pronoun());
        assertEquals("is too small.", s.after());
        assertEquals(List.of("The trophy", "The suitcase"), s.options());
        assertEquals(1, s.correct());
    }

    @Test
    void candidateReadsInPlaceOfThePronoun() {
        var inside = new WscReader.Schema("Joan thanked Susan for", "her", "help.", List.of("Joan", "Susan"), 1, 1);
        assertEquals("Joan's", WscTask.candidate(inside, "Joan"));
        var lower = new WscReader.Schema("It did not fit because", "it", "is big.", List.of("The trophy", "x"), 0, 1);
        assertEquals("the trophy", WscTask.candidate(lower, "The trophy"));
        var start = new WscReader.Schema("It did not fit.", "It", "is big.", List.of("The trophy", "x"), 0, 1);
        assertEquals("The trophy", WscTask.candidate(start, "The trophy"));
    }

    @Test
    void remainderIsScoredFromItsFirstToken() {
        FakeModel model = new FakeModel(64);
        var s = new WscReader.Schema("Paul called George but", "he", "was out.", List.of("Paul", "George"), 1, 1);
        WscTask.Filled f = WscTask.fill(model, 0, s, "George");
        assertArrayEquals(FakeModel.prepend(0, model.encode("Paul called George but George was out.")), f.ids());
        assertEquals(1 + model.encode("Paul called George but George").length, f.remainderFrom());
    }
}
