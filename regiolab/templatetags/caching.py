"""``{% cached "name" part=value … %}…{% endcached %}``: a declared fragment (regiolab.caching)."""

from django import template

from regiolab import caching

register = template.Library()


class CachedNode(template.Node):
    def __init__(self, name, parts, nodelist):
        self.name = name
        self.parts = parts
        self.nodelist = nodelist

    def render(self, context):
        name = self.name.resolve(context)
        parts = {key: value.resolve(context) for key, value in self.parts.items()}
        return caching.get(name, lambda: self.nodelist.render(context), **parts)


@register.tag
def cached(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% cached %} needs the declaration's name")
    parts = template.base.token_kwargs(bits[2:], parser, support_legacy=False)
    if len(parts) != len(bits) - 2:
        raise template.TemplateSyntaxError("{% cached %} takes key parts as name=value only")
    nodelist = parser.parse(("endcached",))
    parser.delete_first_token()
    return CachedNode(parser.compile_filter(bits[1]), parts, nodelist)
