"""Request and response bodies of `/secrets`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from gantry_core.secrets.service import MAX_VALUE


class SecretIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: SecretStr = Field(description="The secret value; stored encrypted and never returned")

    @field_validator("value")
    @classmethod
    def _bounded(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        if not text:
            raise ValueError("must not be empty")
        if len(text) > MAX_VALUE:
            raise ValueError(f"must be at most {MAX_VALUE} characters")
        if "\x00" in text:
            raise ValueError("must not contain NUL characters")
        return value


class SecretOut(BaseModel):
    name: str = Field(description="Name used in ${SECRET_NAME} placeholders")
    createdAt: str | None = Field(description="When the secret was first stored")
    updatedAt: str | None = Field(description="When its value last changed")
