"""Image to Image: edit reference images into new Blender images."""

from __future__ import annotations

import bpy

from ..core.errors import UserError
from ..scene import inputs
from ..service.jobs import Submission
from .base import JobOperator


class MESHY_OT_image_to_image(JobOperator, bpy.types.Operator):
    """Edit reference images with Meshy into new Blender images"""

    bl_idname = "meshy.image_to_image"
    bl_label = "Image to Image with Meshy"
    bl_description = "Edit 1 to 5 reference images with a prompt; the results become Blender images"
    kind = "image-to-image"


    def submissions(self, context: bpy.types.Context) -> list[Submission]:
        values = self.values()
        urls = list(values.pop("reference_image_urls", []))
        paths = list(values.get("reference_image_paths", []))
        count = len(urls) + len(paths) + bool(self.image_path) + bool(self.image_name) + bool(self.use_render)
        if count == 0:
            raise UserError("Give 1 to 5 reference images: image files, a Blender image, or Render Scene")
        if count > 5:
            raise UserError(f"Image to Image takes 1 to 5 reference images; {count} were given")
        self.request(values, require_input=False)  # check the prompt and model before converting any image
        label = ""
        for path in paths:
            upload, _, stem = inputs.image_input(context, self.uploads, path=path)
            urls.append(upload)
            label = label or stem
        if self.image_path or self.image_name or self.use_render:
            upload, _, stem = inputs.image_input(context, self.uploads, path=self.image_path, name=self.image_name,
                                                 use_render=self.use_render)
            if upload is None:  # a chained image-to-image result: send the file itself
                image = bpy.data.images[self.image_name]
                upload, _, stem = inputs.image_input(context, self.uploads, path=image.filepath_from_user())
            urls.append(upload)
            label = label or stem
        values["reference_image_urls"] = urls
        return [self.submission(values, (label or "image")[:40], pack_images=self.pack_images)]


classes = (MESHY_OT_image_to_image,)
