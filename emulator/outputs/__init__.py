"""Real outputs (meshes, textures, images, thumbnails) made from the task inputs."""
