from critic_r1_ext.evaluate.benchmarks import REGISTRY

# The authors' scripts without ``if img.height < 28 or img.width < 28: continue`` (eval_llama32v/).
NO_SMALL_IMAGE_RULE = {"blink", "emma_mini", "zerobench_sub", "mmvu"}


def test_each_benchmark_skips_small_images_only_if_its_script_does():
    for name, benchmark in REGISTRY.items():
        assert benchmark.min_image_side == (0 if name in NO_SMALL_IMAGE_RULE else 28), name
