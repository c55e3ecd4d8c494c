"""Tiny random-weight SDXL and Wan 2.1 (T2V, I2V) pipelines, saved with ``save_pretrained`` so
tests load them through the production ``from_pretrained`` path (notes/provider-apis.md §3.4).

Tokenizers are built in memory (word-level, lower-cased): the Hub's test tokenizers would need a
download.
"""

from __future__ import annotations

from pathlib import Path

WORDS = ["a", "red", "shoe", "on", "white", "background", "product", "shot", "coffee", "cup"]


def _tokenizer(max_length: int, special: list[str]) -> object:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate([*special, *WORDS])}
    core = Tokenizer(models.WordLevel(vocab, unk_token=special[-1]))
    core.normalizer = normalizers.Lowercase()
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=core, model_max_length=max_length)


def _clip_tokenizer() -> object:
    tok = _tokenizer(77, ["<|startoftext|>", "<|endoftext|>", "<unk>"])
    tok.bos_token, tok.eos_token, tok.pad_token, tok.unk_token = (  # type: ignore[attr-defined]
        "<|startoftext|>", "<|endoftext|>", "<|endoftext|>", "<unk>",
    )  # fmt: skip
    return tok


def _t5_tokenizer() -> object:
    tok = _tokenizer(512, ["<pad>", "</s>", "<unk>"])
    tok.pad_token, tok.eos_token, tok.unk_token = "<pad>", "</s>", "<unk>"  # type: ignore[attr-defined]
    return tok


def save_tiny_sdxl(folder: Path) -> Path:
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(2, 4), layers_per_block=2, sample_size=32, in_channels=4,
        out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), attention_head_dim=(2, 4),
        use_linear_projection=True, addition_embed_type="text_time", addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 2), projection_class_embeddings_input_dim=80,
        cross_attention_dim=64, norm_num_groups=1,
    )  # fmt: skip
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, steps_offset=1, beta_schedule="scaled_linear",
        timestep_spacing="leading",
    )  # fmt: skip
    vae = AutoencoderKL(
        block_out_channels=[32, 64], in_channels=3, out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
        latent_channels=4, sample_size=128,
    )  # fmt: skip
    tokenizer = _clip_tokenizer()
    end = tokenizer.convert_tokens_to_ids("<|endoftext|>")  # type: ignore[attr-defined]
    config = CLIPTextConfig(
        bos_token_id=0, eos_token_id=end, pad_token_id=end, hidden_size=32,
        intermediate_size=37, num_attention_heads=4, num_hidden_layers=5, vocab_size=1000,
        hidden_act="gelu", projection_dim=32,
    )  # fmt: skip
    pipe = StableDiffusionXLPipeline(
        vae=vae, text_encoder=CLIPTextModel(config).eval(),
        text_encoder_2=CLIPTextModelWithProjection(config).eval(), tokenizer=tokenizer,
        tokenizer_2=tokenizer, unet=unet, scheduler=scheduler, add_watermarker=False,
    )  # fmt: skip
    pipe.save_pretrained(folder)
    return folder


def _wan_parts(in_channels: int, image_dim: int | None) -> dict[str, object]:
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(
        UMT5Config(
            vocab_size=128,
            d_model=32,
            d_kv=8,
            d_ff=37,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
        )  # fmt: skip
    ).eval()
    extra = {} if image_dim is None else {"image_dim": image_dim}
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
        in_channels=in_channels, out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32,
        num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
        **extra,
    )  # fmt: skip
    return {
        "vae": AutoencoderKLWan(
            base_dim=3,
            z_dim=16,
            dim_mult=[1, 1, 1, 1],
            num_res_blocks=1,
            temperal_downsample=[False, True, True],
        ),  # fmt: skip
        "scheduler": FlowMatchEulerDiscreteScheduler(shift=7.0),
        "text_encoder": text_encoder,
        "tokenizer": _t5_tokenizer(),
        "transformer": transformer,
    }


def save_tiny_wan_t2v(folder: Path) -> Path:
    from diffusers import WanPipeline

    WanPipeline(**_wan_parts(16, None)).save_pretrained(folder)  # type: ignore[arg-type]
    return folder


def save_tiny_wan_i2v(folder: Path) -> Path:
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    encoder = CLIPVisionModel(
        CLIPVisionConfig(
            hidden_size=4,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=32,
            intermediate_size=16,
            patch_size=1,
        )  # fmt: skip
    ).eval()
    pipe = WanImageToVideoPipeline(
        **_wan_parts(36, 4),  # type: ignore[arg-type]
        image_encoder=encoder, image_processor=CLIPImageProcessor(crop_size=32, size=32),
    )  # fmt: skip
    pipe.save_pretrained(folder)
    return folder
