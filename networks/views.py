from django.shortcuts import get_object_or_404, render

from .models import TrainingNetwork


def network_list(request):
    return render(
        request, "networks/network_list.html", {"networks": TrainingNetwork.objects.all()}
    )


def network_detail(request, slug):
    network = get_object_or_404(TrainingNetwork, slug=slug)
    return render(request, "networks/network_detail.html", {"network": network})
