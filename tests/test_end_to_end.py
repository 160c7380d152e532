"""The end-to-end page's claims, checked: learned features beat raw inputs, and XOR needs the product feature."""
from core.views import _shared as shared
from core.views import end_to_end


# --- end to end -------------------------------------------------------------------------------------------------------
def test_learned_features_beat_raw_linear_and_hand_made_features_also_do_well():
    view = end_to_end.end_to_end_view("circle", ("x1sq", "x2sq"), depth=2, width=8, seed=0)
    raw, hand, net = (view.model(name) for name in end_to_end.END_TO_END_MODELS)
    assert raw.hidden == hand.hidden == () and net.hidden == (8, 8)
    assert hand.inputs == ("x1", "x2", "x1sq", "x2sq") and net.inputs == ("x1", "x2")
    assert raw.val_acc < 0.75, "a straight line cannot separate a disc from a ring"
    assert net.val_acc >= 0.9 and net.val_acc > raw.val_acc + 0.2
    assert hand.val_acc >= 0.9, "x₁² + x₂² makes the circle linearly separable"
    assert view.learned.maps.shape == (8, shared.MAP_RESOLUTION ** 2)



def test_xor_needs_the_product_feature():
    view = end_to_end.end_to_end_view("xor", ("x1x2",), depth=2, width=8, seed=0)
    assert view.model("raw_linear").val_acc < 0.75
    assert view.model("features_linear").val_acc >= 0.9
