"""A tiny random-weight MusicGen and its processor, saved with ``save_pretrained`` so tests load
them through the production ``from_pretrained`` path (notes/provider-apis.md §4.2)."""

from __future__ import annotations

from pathlib import Path

from tests.imagery_tiny import _t5_tokenizer


def save_tiny_musicgen(folder: Path) -> Path:
    import torch
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
    )

    torch.manual_seed(0)
    text = T5Config(vocab_size=128, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                    relative_attention_num_buckets=8)  # fmt: skip
    audio = EncodecConfig(
        hidden_size=32, num_filters=4, num_residual_layers=1, upsampling_ratios=[8, 5, 4, 4],
        codebook_size=64, codebook_dim=32, sampling_rate=32000, target_bandwidths=[2.2],
        audio_channels=1, num_lstm_layers=1,
    )  # fmt: skip
    # The decoder's pad/bos ids must equal its vocabulary size (= the codebook size).
    decoder = MusicgenDecoderConfig(
        vocab_size=64, pad_token_id=64, bos_token_id=64, hidden_size=32, num_hidden_layers=2,
        num_attention_heads=4, ffn_dim=64, num_codebooks=4,
    )  # fmt: skip
    config = MusicgenConfig(
        text_encoder=text.to_dict(), audio_encoder=audio.to_dict(), decoder=decoder.to_dict()
    )
    MusicgenForConditionalGeneration(config).eval().save_pretrained(folder)
    processor = MusicgenProcessor(
        feature_extractor=EncodecFeatureExtractor(sampling_rate=32000), tokenizer=_t5_tokenizer()
    )
    processor.save_pretrained(folder)
    return folder
