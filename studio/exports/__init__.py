"""Export of an IP bible and import of an export, one module per job: bible (reading a project
for an export), dump (the JSON export), markdown (the Markdown zip), pitch (the HTML pitch bible),
formats (the downloadable files), background (large exports built by a worker), importer (a JSON
export back as a new project) and views (their pages). Import from the module that does the job.
"""
